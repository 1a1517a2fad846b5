package dev.ratelimit.example;

import dev.ratelimit.jaxrs.RateLimitFeature;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The example's JAX-RS application: registers {@link RateLimitFeature} and the resources. The feature shares the
 * web application's one limiter with the servlet filter, so the JAX-RS endpoints, the servlet filter,
 * {@code /health} and {@code /metrics} all see the same Redis connection, circuit breaker and registry.
 */
public class ExampleApplication extends ResourceConfig {

    /** Registers the resources; Jersey's servlet instantiates it. */
    public ExampleApplication() {
        property("jersey.config.server.wadl.disableWadl", true); // no WADL, and no warning that JAXB is absent
        register(RateLimitFeature.class);
        register(AlgorithmsResource.class);
        register(ExampleResources.class);
        register(LoginResource.class);
    }
}
