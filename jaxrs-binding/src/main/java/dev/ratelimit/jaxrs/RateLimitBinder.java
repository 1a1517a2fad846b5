package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.http.HttpRateLimiter;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.RateLimitSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.internal.inject.DisposableSupplier;

/**
 * Our default services, ranked below anything an application binds: the settings, the limiter they describe
 * (closed when the application stops), no custom key resolver, and the {@link HttpRateLimiter} the filters use.
 */
final class RateLimitBinder extends AbstractBinder {

    /** Rank of our defaults; an application's bindings (rank 0 unless set) win. */
    static final int DEFAULT_RANK = -1000;

    private final RateLimitSettings settings;

    RateLimitBinder(RateLimitSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        bind(settings).to(RateLimitSettings.class).ranked(DEFAULT_RANK);
        bindFactory(LimiterFromSettings.class).to(RateLimiter.class).in(Singleton.class).ranked(DEFAULT_RANK);
        bind(NoCustomKey.INSTANCE).to(KeyResolver.class).ranked(DEFAULT_RANK);
        bindFactory(HttpLimiterFactory.class).to(HttpRateLimiter.class).in(Singleton.class).ranked(DEFAULT_RANK);
    }

    /** The limiter the settings describe: Redis behind a circuit breaker, or in memory without a Redis URL. */
    static final class LimiterFromSettings implements DisposableSupplier<RateLimiter> {
        private final RateLimitSettings settings;

        @Inject
        LimiterFromSettings(RateLimitSettings settings) {
            this.settings = settings;
        }

        @Override
        public RateLimiter get() {
            return settings.createLimiter();
        }

        @Override
        public void dispose(RateLimiter limiter) {
            limiter.close();
        }
    }

    /** The request-path logic around whichever limiter is bound. */
    static final class HttpLimiterFactory implements java.util.function.Supplier<HttpRateLimiter> {
        private final RateLimiter limiter;
        private final RateLimitSettings settings;

        @Inject
        HttpLimiterFactory(RateLimiter limiter, RateLimitSettings settings) {
            this.limiter = limiter;
            this.settings = settings;
        }

        @Override
        public HttpRateLimiter get() {
            return HttpRateLimiter.of(limiter, settings);
        }
    }

    /** Without an application resolver, {@code CUSTOM} rules count by client IP. */
    enum NoCustomKey implements KeyResolver {
        INSTANCE;

        @Override
        public String resolve(dev.ratelimit.http.RequestView request) {
            return null;
        }
    }
}
