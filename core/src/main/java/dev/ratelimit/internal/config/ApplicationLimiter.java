package dev.ratelimit.internal.config;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one limiter of a web application, whichever binding (the JAX-RS feature, the servlet filters, or both) enforces
 * its limits: created by the first binding that starts, from the settings, with its startup log line then; shared by
 * every later one; closed when the last one stops. It lives in the application's attributes (the
 * {@code ServletContext}), published under {@link #LIMITER_ATTRIBUTE} so the application can read it (e.g. a health
 * check showing the circuit breaker). An application that put its own limiter there first keeps it: the bindings use
 * it and never close it. The metrics come from {@link #METRICS_ATTRIBUTE} when the application put its own there. Not
 * API: the bindings call it; the two attribute names are documented.
 */
public final class ApplicationLimiter {

    /** The attribute holding the web application's limiter: the application's own, or the shared one. */
    public static final String LIMITER_ATTRIBUTE = "dev.ratelimit.core.RateLimiter";
    /** The attribute where an application may put the {@code RateLimitMetrics} every binding reports to. */
    public static final String METRICS_ATTRIBUTE = "dev.ratelimit.metrics.RateLimitMetrics";
    /** The attribute holding the {@link Shared} state of the shared limiter: present only when the limiter is ours. */
    public static final String OWNER_ATTRIBUTE = ApplicationLimiter.class.getName();

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationLimiter.class);
    /** Guards every attribute lookup and use count; taken only when a binding starts or stops. */
    private static final Object LOCK = new Object();

    /**
     * A web application's attributes, as a binding sees them: a {@code ServletContext}'s (core does not link to the
     * servlet API), or a private map outside a servlet container.
     *
     * @param get    e.g. {@code ServletContext::getAttribute}
     * @param set    e.g. {@code ServletContext::setAttribute}
     * @param remove e.g. {@code ServletContext::removeAttribute}
     * @param name   the application, for log lines, e.g. {@code web application /shop}
     */
    public record Attributes(Function<String, Object> get, BiConsumer<String, Object> set, Consumer<String> remove,
                             String name) {

        /**
         * A servlet context's attributes.
         *
         * @param get         {@code ServletContext::getAttribute}
         * @param set         {@code ServletContext::setAttribute}
         * @param remove      {@code ServletContext::removeAttribute}
         * @param contextPath the context path, {@code ""} for the root web application
         * @return the attributes
         */
        public static Attributes ofServletContext(Function<String, Object> get, BiConsumer<String, Object> set,
                Consumer<String> remove, String contextPath) {
            return new Attributes(get, set, remove, contextPath == null || contextPath.isEmpty()
                    ? "the root web application" : "web application " + contextPath);
        }

        /**
         * Attributes of an application outside a servlet container (e.g. Jersey on Grizzly): it has a limiter of its
         * own.
         *
         * @param name the application, for log lines
         * @return empty attributes, private to the caller
         */
        public static Attributes privateTo(String name) {
            Map<String, Object> map = new ConcurrentHashMap<>();
            return new Attributes(map::get, map::put, map::remove, name);
        }
    }

    private final RateLimiter limiter;
    private final RateLimitMetrics metrics;
    /** The shared limiter's state; null for the application's own limiter, which is never closed. */
    private final Shared shared;
    private final Attributes attributes;
    /** Whether this binding's use was released: each binding releases once, however often it is told to. */
    private boolean released;

    private ApplicationLimiter(RateLimiter limiter, RateLimitMetrics metrics, Shared shared, Attributes attributes) {
        this.limiter = limiter;
        this.metrics = metrics;
        this.shared = shared;
        this.attributes = attributes;
    }

    /**
     * The application's limiter for one binding, created from {@code settings} if no binding has created it yet;
     * counts one more user. Pair with {@link #release()}.
     *
     * @param app      the application's attributes
     * @param settings the binding's settings: they create the limiter when it does not exist yet
     * @param metrics  where a limiter created now reports, unless the application put its own metrics in
     *                 {@link #METRICS_ATTRIBUTE}
     * @param binding  the binding, for log lines, e.g. {@code rate-limit filter 'api'}
     * @return the limiter to use and the metrics to report to
     * @throws IllegalStateException    when an attribute holds something else than a limiter or metrics
     * @throws RuntimeException         whatever creating the limiter throws (then nothing is stored)
     */
    public static ApplicationLimiter acquire(Attributes app, RateLimitSettings settings, RateLimitMetrics metrics,
            String binding) {
        synchronized (LOCK) {
            RateLimitMetrics ownMetrics = attribute(app, METRICS_ATTRIBUTE, RateLimitMetrics.class);
            RateLimitMetrics reportTo = ownMetrics != null ? ownMetrics : metrics;
            Object owner = app.get().apply(OWNER_ATTRIBUTE);
            RateLimiter existing = attribute(app, LIMITER_ATTRIBUTE, RateLimiter.class);
            if (owner instanceof Shared s && s.limiter == existing) {
                s.users++;
                if (!s.limiterSettings.equals(settings.limiterSettings())) {
                    LOG.warn("{} of {} uses the limiter {} created; its own limiter settings differ and are ignored "
                            + "(the limiter's settings are the application's: set them as context-params, system "
                            + "properties or environment variables): {}", binding, app.name(), s.creator,
                            settings.limiterSettings());
                } else {
                    LOG.info("{} of {} uses the limiter {} created", binding, app.name(), s.creator);
                }
                return new ApplicationLimiter(existing, s.metrics, s, app);
            }
            if (existing != null) {
                return new ApplicationLimiter(existing, reportTo, null, app); // the application's own
            }
            Shared s = new Shared(settings.createLimiter(reportTo), reportTo, settings.limiterSettings(), binding);
            app.set().accept(OWNER_ATTRIBUTE, s);
            app.set().accept(LIMITER_ATTRIBUTE, s.limiter);
            return new ApplicationLimiter(s.limiter, reportTo, s, app);
        }
    }

    /** {@return the limiter} */
    public RateLimiter limiter() {
        return limiter;
    }

    /** {@return the metrics the bindings report decisions to: the application's own, else the settings'} */
    public RateLimitMetrics metrics() {
        return metrics;
    }

    /** {@return whether the limiter is the application's own (never closed by us)} */
    public boolean applicationsOwn() {
        return shared == null;
    }

    /** {@return how many bindings use the shared limiter; 0 for the application's own} */
    public int users() {
        return shared == null ? 0 : shared.users();
    }

    /**
     * Counts this binding's use off, once (a second call does nothing); the last use removes the attributes and closes
     * the shared limiter.
     */
    public void release() {
        if (shared == null) {
            return;
        }
        synchronized (LOCK) {
            if (released) {
                return;
            }
            released = true;
            if (shared.users == 0 || --shared.users > 0) {
                return;
            }
            if (attributes.get().apply(OWNER_ATTRIBUTE) == shared) {
                attributes.remove().accept(OWNER_ATTRIBUTE);
                if (attributes.get().apply(LIMITER_ATTRIBUTE) == shared.limiter) {
                    attributes.remove().accept(LIMITER_ATTRIBUTE);
                }
            }
        }
        try {
            shared.limiter.close();
            LOG.info("Rate limiter of {} closed: the last binding using it stopped", attributes.name());
        } catch (RuntimeException e) {
            LOG.warn("Closing the rate limiter of {} failed", attributes.name(), e);
        }
    }

    private static <T> T attribute(Attributes app, String name, Class<T> type) {
        Object value = app.get().apply(name);
        if (value == null || type.isInstance(value)) {
            return type.cast(value);
        }
        throw new IllegalStateException("the attribute " + name + " of " + app.name() + " holds a "
                + value.getClass().getName() + ", not a " + type.getName() + " (is the rate-limit library loaded "
                + "twice, by the container and by the web application?)");
    }

    /** The shared limiter and how many bindings use it. */
    public static final class Shared {
        private final RateLimiter limiter;
        private final RateLimitMetrics metrics;
        private final String limiterSettings;
        private final String creator;
        private int users = 1;

        Shared(RateLimiter limiter, RateLimitMetrics metrics, String limiterSettings, String creator) {
            this.limiter = limiter;
            this.metrics = metrics;
            this.limiterSettings = limiterSettings;
            this.creator = creator;
        }

        /** {@return the shared limiter} */
        public RateLimiter limiter() {
            return limiter;
        }

        /** {@return how many bindings use it now; 0 once closed} */
        public int users() {
            synchronized (LOCK) {
                return users;
            }
        }
    }
}
