package dev.ratelimit.example;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.internal.config.RateLimitSettings;
import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.metrics.RateLimitMetrics;
import dev.ratelimit.servlet.RateLimitFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Creates the webapp's one limiter at startup from the settings (system properties, environment, context-params:
 * {@code ratelimit.redis.url} / {@code RATELIMIT_REDIS_URL}…; in memory without a Redis URL), reporting to a
 * Prometheus registry, and keeps both in context attributes for the JAX-RS application, the servlet filter,
 * {@code /health} and {@code /metrics}; closes them at shutdown.
 */
public class SharedLimiter implements ServletContextListener {

    /** The context attribute holding the shared {@link RateLimiter}; the servlet filter uses it too. */
    public static final String ATTRIBUTE = RateLimitFilter.LIMITER_ATTRIBUTE;
    /** The context attribute holding the {@link PrometheusMeterRegistry} behind {@code /metrics}. */
    public static final String REGISTRY_ATTRIBUTE = PrometheusMeterRegistry.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        RateLimitSettings settings = RateLimitSettings.load(context::getInitParameter);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerMetrics metrics = MicrometerMetrics.of(registry);
        context.setAttribute(REGISTRY_ATTRIBUTE, registry);
        context.setAttribute(RateLimitFilter.METRICS_ATTRIBUTE, metrics);
        context.setAttribute(ATTRIBUTE, settings.createLimiter(metrics));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Object limiter = context.getAttribute(ATTRIBUTE);
        Object registry = context.getAttribute(REGISTRY_ATTRIBUTE);
        context.removeAttribute(ATTRIBUTE);
        context.removeAttribute(RateLimitFilter.METRICS_ATTRIBUTE);
        context.removeAttribute(REGISTRY_ATTRIBUTE);
        try {
            if (limiter instanceof RateLimiter) {
                ((RateLimiter) limiter).close();
            }
        } finally {
            if (registry instanceof PrometheusMeterRegistry) {
                ((PrometheusMeterRegistry) registry).close();
            }
        }
    }

    /** The shared limiter of a context. */
    static RateLimiter of(ServletContext context) {
        return attribute(context, ATTRIBUTE, RateLimiter.class);
    }

    /** The metrics the shared limiter reports to. */
    static RateLimitMetrics metrics(ServletContext context) {
        return attribute(context, RateLimitFilter.METRICS_ATTRIBUTE, RateLimitMetrics.class);
    }

    /** The Prometheus registry of a context. */
    static PrometheusMeterRegistry registry(ServletContext context) {
        return attribute(context, REGISTRY_ATTRIBUTE, PrometheusMeterRegistry.class);
    }

    private static <T> T attribute(ServletContext context, String name, Class<T> type) {
        Object value = context.getAttribute(name);
        if (!type.isInstance(value)) {
            throw new IllegalStateException("no " + type.getSimpleName() + " in the servlet context: declare "
                    + SharedLimiter.class.getName() + " as a listener in web.xml");
        }
        return type.cast(value);
    }
}
