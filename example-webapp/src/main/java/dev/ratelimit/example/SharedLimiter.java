package dev.ratelimit.example;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.http.RateLimitSettings;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Creates the webapp's one limiter at startup from the settings (system properties, environment, context-params:
 * {@code ratelimit.redis.url} / {@code RATELIMIT_REDIS_URL}…; in memory without a Redis URL), keeps it in a
 * context attribute for the JAX-RS application, the servlet filter and {@code /health}, and closes it at shutdown.
 */
public class SharedLimiter implements ServletContextListener {

    /** The context attribute holding the shared {@link RateLimiter}; the servlet filter uses it too. */
    public static final String ATTRIBUTE = RateLimiter.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        RateLimitSettings settings = RateLimitSettings.load(context::getInitParameter);
        context.setAttribute(ATTRIBUTE, settings.createLimiter());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object limiter = event.getServletContext().getAttribute(ATTRIBUTE);
        event.getServletContext().removeAttribute(ATTRIBUTE);
        if (limiter instanceof RateLimiter) {
            ((RateLimiter) limiter).close();
        }
    }

    /** The shared limiter of a context. */
    static RateLimiter of(ServletContext context) {
        Object limiter = context.getAttribute(ATTRIBUTE);
        if (!(limiter instanceof RateLimiter)) {
            throw new IllegalStateException("no shared rate limiter: declare " + SharedLimiter.class.getName()
                    + " as a listener in web.xml");
        }
        return (RateLimiter) limiter;
    }
}
