package dev.ratelimit.example;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.jaxrs.RateLimitFeature;
import dev.ratelimit.metrics.RateLimitMetrics;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.core.Context;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The example's JAX-RS application: registers {@link RateLimitFeature} and the resources, and binds the limiter
 * the whole webapp shares (made by {@link SharedLimiter}) and its metrics, so the JAX-RS endpoints, the servlet
 * filter, {@code /health} and {@code /metrics} all see the same Redis connection, circuit breaker and registry.
 */
public class ExampleApplication extends ResourceConfig {

    /** Called by Jersey's servlet with the webapp's context. */
    public ExampleApplication(@Context ServletContext servletContext) {
        property("jersey.config.server.wadl.disableWadl", true); // no WADL, and no warning that JAXB is absent
        register(RateLimitFeature.class);
        register(AlgorithmsResource.class);
        register(ExampleResources.class);
        RateLimiter shared = SharedLimiter.of(servletContext);
        RateLimitMetrics metrics = SharedLimiter.metrics(servletContext);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(shared).to(RateLimiter.class);
                bind(metrics).to(RateLimitMetrics.class);
            }
        });
    }
}
