package dev.ratelimit.example;

import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.servlet.RateLimitFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * The example's Prometheus registry behind {@code /metrics}: created at startup and handed to the rate limiter through
 * the {@code dev.ratelimit.metrics.RateLimitMetrics} context attribute ({@link RateLimitFilter#METRICS_ATTRIBUTE}),
 * which both bindings read; closed at shutdown. (The limiter itself needs no listener: the bindings create one per
 * web application and share it.)
 */
public class MetricsRegistry implements ServletContextListener {

    /** The context attribute holding the {@link PrometheusMeterRegistry} behind {@code /metrics}. */
    static final String REGISTRY_ATTRIBUTE = PrometheusMeterRegistry.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        context.setAttribute(REGISTRY_ATTRIBUTE, registry);
        context.setAttribute(RateLimitFilter.METRICS_ATTRIBUTE, MicrometerMetrics.of(registry));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Object registry = context.getAttribute(REGISTRY_ATTRIBUTE);
        context.removeAttribute(RateLimitFilter.METRICS_ATTRIBUTE);
        context.removeAttribute(REGISTRY_ATTRIBUTE);
        if (registry instanceof PrometheusMeterRegistry) {
            ((PrometheusMeterRegistry) registry).close();
        }
    }

    /** The Prometheus registry of a context. */
    static PrometheusMeterRegistry of(ServletContext context) {
        return (PrometheusMeterRegistry) context.getAttribute(REGISTRY_ATTRIBUTE);
    }
}
