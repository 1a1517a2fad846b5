package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.internal.http.RequestDecider;
import dev.ratelimit.core.Decision;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.Rejection;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.core.RateLimitRule;
import java.util.List;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.internal.config.ApplicationLimiter;
import dev.ratelimit.internal.config.LiveOverrides;
import dev.ratelimit.internal.config.RateLimitSettings;
import dev.ratelimit.metrics.RateLimitMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.glassfish.hk2.api.Factory;
import org.glassfish.hk2.utilities.binding.AbstractBinder;

/**
 * Our default services, ranked below anything an application binds: the settings, the metrics they select, the
 * limiter they describe (closed when the application stops), no custom key resolver, the plan table of the settings
 * ({@code ratelimit.plans.*}) as the rules resolver, or the declared rules without one, the peer address from the
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
    private final ApplicationLimiter.Attributes application;
    private final LiveOverrides live;

    RateLimitBinder(RateLimitSettings settings, ContainerPeerAddress peerAddress,
            ApplicationLimiter.Attributes application, LiveOverrides live) {
        this.settings = settings;
        this.peerAddress = peerAddress;
        this.application = application;
        this.live = live;
    }

    @Override
    protected void configure() {
        bind(settings).to(RateLimitSettings.class).ranked(DEFAULT_RANK);
        bind(application).to(ApplicationLimiter.Attributes.class).ranked(DEFAULT_RANK);
        bind(live).to(LiveOverrides.class).to(RuleOverrides.class).ranked(DEFAULT_RANK);
        bindFactory(MetricsFromSettings.class).to(RateLimitMetrics.class).in(Singleton.class).ranked(DEFAULT_RANK);
        bindFactory(LimiterFromSettings.class, Singleton.class).to(RateLimiter.class).in(Singleton.class)
                .ranked(DEFAULT_RANK);
        bind(NoCustomKey.INSTANCE).to(KeyResolver.class).ranked(DEFAULT_RANK);
        bind(settings.plans() != null ? settings.plans() : DeclaredRules.INSTANCE).to(RulesResolver.class)
                .ranked(DEFAULT_RANK);
        bind(StandardRejection.INSTANCE).to(RejectionHandler.class).ranked(DEFAULT_RANK);
        bind(peerAddress).to(PeerAddress.class).ranked(DEFAULT_RANK);
        bindFactory(HttpLimiterFactory.class).to(RequestDecider.class).in(Singleton.class).ranked(DEFAULT_RANK);
    }

    /**
     * The metrics the application put in its {@link ApplicationLimiter#METRICS_ATTRIBUTE}, else Micrometer's global
     * registry when Micrometer is present and metrics are not disabled, else none.
     */
    static final class MetricsFromSettings implements Factory<RateLimitMetrics> {
        private final RateLimitSettings settings;
        private final ApplicationLimiter.Attributes application;

        @Inject
        MetricsFromSettings(RateLimitSettings settings, ApplicationLimiter.Attributes application) {
            this.settings = settings;
            this.application = application;
        }

        @Override
        public RateLimitMetrics provide() {
            Object own = application.get().apply(ApplicationLimiter.METRICS_ATTRIBUTE);
            return own instanceof RateLimitMetrics ? (RateLimitMetrics) own : settings.metrics();
        }

        @Override
        public void dispose(RateLimitMetrics metrics) {
            // the registry belongs to the application
        }
    }

    /**
     * The web application's one limiter ({@link ApplicationLimiter}), shared with its servlet filters: Redis behind a
     * circuit breaker, or in memory without a Redis URL; or the application's own from the servlet context.
     */
    static final class LimiterFromSettings implements Factory<RateLimiter> {
        private final RateLimitSettings settings;
        private final RateLimitMetrics metrics;
        private final ApplicationLimiter.Attributes application;
        private volatile ApplicationLimiter acquired;

        @Inject
        LimiterFromSettings(RateLimitSettings settings, RateLimitMetrics metrics,
                ApplicationLimiter.Attributes application) {
            this.settings = settings;
            this.metrics = metrics;
            this.application = application;
        }

        @Override
        public RateLimiter provide() {
            ApplicationLimiter limiter = ApplicationLimiter.acquire(application, settings, metrics,
                    "the JAX-RS application");
            acquired = limiter;
            return limiter.limiter();
        }

        @Override
        public void dispose(RateLimiter limiter) {
            ApplicationLimiter a = acquired;
            if (a != null) {
                a.release();
            }
        }
    }

    /** The request-path logic around whichever limiter is bound. */
    static final class HttpLimiterFactory implements Factory<RequestDecider> {
        private final RateLimiter limiter;
        private final RateLimitSettings settings;
        private final RateLimitMetrics metrics;
        private final LiveOverrides live;

        @Inject
        HttpLimiterFactory(RateLimiter limiter, RateLimitSettings settings, RateLimitMetrics metrics,
                LiveOverrides live) {
            this.limiter = limiter;
            this.settings = settings;
            this.metrics = metrics;
            this.live = live;
        }

        @Override
        public RequestDecider provide() {
            return settings.requestDecider(limiter, metrics, live);
        }

        @Override
        public void dispose(RequestDecider instance) {
            // nothing to release: the limiter is disposed by its own factory
        }
    }

    /** Without an application handler, refusals get the standard problem document. */
    enum StandardRejection implements RejectionHandler {
        INSTANCE;

        @Override
        public Rejection reject(Decision decision, RequestView request, Rejection standard) {
            return standard;
        }
    }

    /** Without an application rules resolver or a plan table, every request keeps its method's declared rules. */
    enum DeclaredRules implements RulesResolver {
        INSTANCE;

        @Override
        public List<RateLimitRule> resolve(RequestView request, List<RateLimitRule> declared) {
            return declared;
        }
    }

    /** Without an application resolver, {@code CUSTOM} rules count by client IP. */
    enum NoCustomKey implements KeyResolver {
        INSTANCE;

        @Override
        public String resolve(RequestView request) {
            return null;
        }
    }
}
