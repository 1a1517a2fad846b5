package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.internal.http.RequestDecider;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.internal.config.RateLimitSettings;
import dev.ratelimit.metrics.RateLimitMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.glassfish.hk2.api.Factory;
import org.glassfish.hk2.utilities.binding.AbstractBinder;

/**
 * Our default services, ranked below anything an application binds: the settings, the metrics they select, the
 * limiter they describe (closed when the application stops), no custom key resolver, the peer address from the
 * container ({@link ContainerPeerAddress}), and the {@link RequestDecider} the filters use.
 *
 * <p>An HK2 binder (HK2's public API, the same in Jersey 3.1 and 4.0), not Jersey's
 * {@code org.glassfish.jersey.internal.inject.AbstractBinder}: Jersey 4 removed that class (its injection-neutral
 * bindings are gone, the binder moved to jersey-hk2 as {@code org.glassfish.jersey.inject.hk2.AbstractBinder}).
 */
final class RateLimitBinder extends AbstractBinder {

    /** Rank of our defaults; an application's bindings (rank 0 unless set) win. */
    static final int DEFAULT_RANK = -1000;

    private final RateLimitSettings settings;
    private final ContainerPeerAddress peerAddress;

    RateLimitBinder(RateLimitSettings settings, ContainerPeerAddress peerAddress) {
        this.settings = settings;
        this.peerAddress = peerAddress;
    }

    @Override
    protected void configure() {
        bind(settings).to(RateLimitSettings.class).ranked(DEFAULT_RANK);
        bindFactory(MetricsFromSettings.class).to(RateLimitMetrics.class).in(Singleton.class).ranked(DEFAULT_RANK);
        bindFactory(LimiterFromSettings.class).to(RateLimiter.class).in(Singleton.class).ranked(DEFAULT_RANK);
        bind(NoCustomKey.INSTANCE).to(KeyResolver.class).ranked(DEFAULT_RANK);
        bind(peerAddress).to(PeerAddress.class).ranked(DEFAULT_RANK);
        bindFactory(HttpLimiterFactory.class).to(RequestDecider.class).in(Singleton.class).ranked(DEFAULT_RANK);
    }

    /** Micrometer's global registry when Micrometer is present and metrics are not disabled; else none. */
    static final class MetricsFromSettings implements Factory<RateLimitMetrics> {
        private final RateLimitSettings settings;

        @Inject
        MetricsFromSettings(RateLimitSettings settings) {
            this.settings = settings;
        }

        @Override
        public RateLimitMetrics provide() {
            return settings.metrics();
        }

        @Override
        public void dispose(RateLimitMetrics metrics) {
            // the registry belongs to the application
        }
    }

    /** The limiter the settings describe: Redis behind a circuit breaker, or in memory without a Redis URL. */
    static final class LimiterFromSettings implements Factory<RateLimiter> {
        private final RateLimitSettings settings;
        private final RateLimitMetrics metrics;

        @Inject
        LimiterFromSettings(RateLimitSettings settings, RateLimitMetrics metrics) {
            this.settings = settings;
            this.metrics = metrics;
        }

        @Override
        public RateLimiter provide() {
            return settings.createLimiter(metrics);
        }

        @Override
        public void dispose(RateLimiter limiter) {
            limiter.close();
        }
    }

    /** The request-path logic around whichever limiter is bound. */
    static final class HttpLimiterFactory implements Factory<RequestDecider> {
        private final RateLimiter limiter;
        private final RateLimitSettings settings;
        private final RateLimitMetrics metrics;

        @Inject
        HttpLimiterFactory(RateLimiter limiter, RateLimitSettings settings, RateLimitMetrics metrics) {
            this.limiter = limiter;
            this.settings = settings;
            this.metrics = metrics;
        }

        @Override
        public RequestDecider provide() {
            return RequestDecider.of(limiter, settings, metrics);
        }

        @Override
        public void dispose(RequestDecider instance) {
            // nothing to release: the limiter is disposed by its own factory
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
