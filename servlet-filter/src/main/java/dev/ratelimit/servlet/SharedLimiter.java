package dev.ratelimit.servlet;

import dev.ratelimit.core.RateLimiter;
import jakarta.servlet.ServletContext;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one limiter (and so the one Redis connection pool) that every {@link RateLimitFilter} of a web application
 * shares, kept in a {@link ServletContext} attribute. The first filter to initialise creates it; each filter's
 * {@code destroy()} releases its use, and the last one closes it, so undeploying the application leaves no
 * connection or pool thread behind. This needs nothing but the filters themselves: no listener, no
 * {@code ServletContainerInitializer}, so it works from a plain {@code web.xml}.
 */
final class SharedLimiter {

    /** The context attribute holding the shared limiter; the filters own it. */
    static final String ATTRIBUTE = SharedLimiter.class.getName();

    private static final Logger LOG = LoggerFactory.getLogger(SharedLimiter.class);
    /** Guards every attribute lookup and use count; taken only at filter init and destroy. */
    private static final Object LOCK = new Object();

    private final RateLimiter limiter;
    private int users;

    private SharedLimiter(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /**
     * The context's shared limiter, created with {@code create} if it does not exist yet; counts one more user.
     *
     * @throws RuntimeException whatever {@code create} throws (then nothing is counted or stored)
     */
    static SharedLimiter acquire(ServletContext context, Supplier<RateLimiter> create) {
        synchronized (LOCK) {
            Object existing = context.getAttribute(ATTRIBUTE);
            SharedLimiter shared;
            if (existing instanceof SharedLimiter) {
                shared = (SharedLimiter) existing;
            } else if (existing == null) {
                shared = new SharedLimiter(create.get());
                context.setAttribute(ATTRIBUTE, shared);
            } else {
                throw new IllegalStateException("the servlet context attribute " + ATTRIBUTE + " holds a "
                        + existing.getClass().getName() + ", not the rate limiter the filters share (is the "
                        + "ratelimit-servlet jar loaded twice, by the container and by the web application?)");
            }
            shared.users++;
            return shared;
        }
    }

    /** The limiter. */
    RateLimiter limiter() {
        return limiter;
    }

    /** The number of filters using this limiter. */
    int users() {
        synchronized (LOCK) {
            return users;
        }
    }

    /** Counts one user less; the last one removes the attribute and closes the limiter. */
    void release(ServletContext context) {
        synchronized (LOCK) {
            if (users == 0) {
                return;
            }
            if (--users > 0) {
                return;
            }
            if (context.getAttribute(ATTRIBUTE) == this) {
                context.removeAttribute(ATTRIBUTE);
            }
        }
        try {
            limiter.close();
            LOG.info("Rate limiter of {} closed: the last rate-limit filter was destroyed", contextName(context));
        } catch (RuntimeException e) {
            LOG.warn("Closing the rate limiter of {} failed", contextName(context), e);
        }
    }

    private static String contextName(ServletContext context) {
        String path = context.getContextPath();
        return path == null || path.isEmpty() ? "the root web application" : "web application " + path;
    }
}
