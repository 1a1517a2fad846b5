package dev.ratelimit.fallback;

import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.internal.DenialCachingRateLimiter;
import dev.ratelimit.internal.Operations;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RateLimiter} that keeps deciding while Redis fails: a Resilience4j {@link CircuitBreaker} guards the
 * primary (Redis) limiter, and while calls fail or the breaker is open, requests are decided by the
 * {@link FailurePolicy}: an in-memory limiter with the same rules (optionally each limit divided by the expected
 * instance count), fail open, or fail closed. The caller never sees a Redis exception; only invalid arguments
 * (an empty key, duplicate rule names) are thrown. The breaker probes Redis again after its wait and closes by
 * itself when Redis is healthy. State changes are logged once each (WARN when opening, INFO when closing).
 *
 * <p>The breaker is built from the {@link FallbackConfig} unless the application gives its own
 * {@link Builder#circuitBreakerConfig(CircuitBreakerConfig) CircuitBreakerConfig}, and it is created in the
 * application's {@link Builder#circuitBreakerRegistry(CircuitBreakerRegistry) CircuitBreakerRegistry} (under the
 * limiter's {@link Builder#name(String) name}) when one is given, so it shows up wherever the application watches its
 * breakers.
 */
public final class FallbackRateLimiter implements RateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(FallbackRateLimiter.class);

    private final RateLimiter primary;
    /** The local denial cache in front of the primary; null when off. */
    private final DenialCachingRateLimiter denials;
    private final RateLimiter fallback;
    private final boolean ownsFallback;
    private final FallbackConfig config;
    private final CircuitBreaker breaker;
    private final CircuitBreakerRegistry registry;
    private final FailurePolicyDecider policy;
    private final RateLimitMetrics metrics;
    private volatile RuntimeException lastFailure;

    private FallbackRateLimiter(Builder b) {
        this.primary = b.primary;
        this.denials = b.denialCacheKeys == 0 ? null
                : new DenialCachingRateLimiter(b.primary, b.denialCacheKeys, b.ownClock ? b.timeSource : null);
        this.config = b.config;
        this.ownsFallback = b.fallback == null;
        this.fallback = ownsFallback ? InMemoryRateLimiter.custom().timeSource(b.timeSource).build() : b.fallback;
        CircuitBreakerConfig breakerConfig = b.breakerConfig == null ? CircuitBreakerConfigs.of(config, b.timeSource)
                : CircuitBreakerConfigs.onClock(b.breakerConfig, b.timeSource);
        Duration openWait = Duration.ofMillis(breakerConfig.getWaitIntervalFunctionInOpenState().apply(1));
        this.policy = new FailurePolicyDecider(config, fallback, openWait);
        this.registry = b.registry;
        this.breaker = registry == null ? CircuitBreaker.of(b.name, breakerConfig)
                : registry.circuitBreaker(b.name, breakerConfig);
        breaker.getEventPublisher().onStateTransition(
                new BreakerTransitionLog(b.name, config.policy(), openWait, () -> lastFailure)::log);
        this.metrics = b.metrics;
        metrics.bindCircuitBreaker(breaker);
    }

    /**
     * A builder; {@link Builder#primary(RateLimiter)} is required.
     *
     * @return a new builder with the default {@link FallbackConfig} and the system clock
     */
    public static Builder custom() {
        return new Builder();
    }

    @Override
    public Decision acquire(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules); // caller errors are thrown, and never counted against Redis
        ClientKeys.checkKey(key);
        if (denials != null) {
            // a denial Redis gave and whose wait is not over: certain, so it is served even while the breaker is
            // open, and it is no Redis call, so it is not recorded as one (a flood of locally denied requests must
            // not hide Redis failures from the breaker)
            Decision cached = denials.cachedDenial(key, rules);
            if (cached != null) {
                metrics.denialCacheHit();
                return cached;
            }
        }
        return guarded(key, rules, null);
    }

    /**
     * Rules on several keys, guarded like the one-key call: one call to the primary's
     * {@link RateLimiter#acquire(List)} behind the breaker, and while it fails or the breaker is open, the policy
     * decides the whole request: {@code ALLOW} and {@code DENY} without counting, {@code FALLBACK} by the in-memory
     * limiter's own multi-key call with each rule's instance share. The local denial cache serves one-key calls only.
     */
    @Override
    public Decision acquire(List<KeyedRule> rules) {
        ClientKeys.checkKeyedRules(rules); // caller errors are thrown, and never counted against Redis
        return guarded(null, null, rules);
    }

    /**
     * The primary's (Redis's) peek behind the breaker, like a request; while it fails or the breaker is open, the
     * policy's: the in-memory fallback's peek under {@code FALLBACK}, the answer {@code ALLOW} or {@code DENY} would
     * give otherwise. Never served from the denial cache.
     */
    @Override
    public Decision peek(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        ClientKeys.checkKey(key);
        return operation(() -> primary.peek(key, rules), () -> policy.peek(key, rules));
    }

    /**
     * Resets the client in Redis (behind the breaker, like a request) and in the in-memory fallback (always, so a
     * client reset while Redis is up does not find an old fallback state during the next outage), and drops its
     * denials from the local denial cache (and, through Redis, from every instance's). A failing Redis is not
     * reported: the reset then holds for the fallback only.
     */
    @Override
    public void reset(String key, RateLimitRule rule) {
        Operations.checkRule(key, rule);
        onBoth(key, () -> primary.reset(key, rule), () -> fallback.reset(key, policy.share(rule)));
    }

    /**
     * Blocks the client in Redis (behind the breaker, like a request) and in the in-memory fallback (always, so the
     * block holds through an outage of Redis), and drops its denials from the denial caches (a block publishes the key
     * like a reset). A failing Redis is not reported: the block then holds for the fallback only.
     */
    @Override
    public void block(String key, RateLimitRule rule, Duration duration) {
        Operations.checkRule(key, rule);
        Operations.blockMicros(duration);
        onBoth(key, () -> primary.block(key, rule, duration), () -> fallback.block(key, policy.share(rule), duration));
    }

    /**
     * Gives the permits back in Redis (behind the breaker, like a request); while Redis fails or the breaker is open,
     * to the in-memory fallback instead (on the rule's instance share), which counted the client meanwhile. Drops the
     * client's denials from the denial caches.
     */
    @Override
    public void refund(String key, RateLimitRule rule, long permits) {
        Operations.checkRule(key, rule);
        Operations.refundPermits(permits);
        try {
            operation(() -> {
                primary.refund(key, rule, permits);
                return null;
            }, () -> {
                fallback.refund(key, policy.share(rule), permits);
                return null;
            });
        } finally {
            dropDenials(key);
        }
    }

    /**
     * An operation in Redis (behind the breaker; a failure is not reported) and, whatever happened there, on the
     * fallback (one the application gave that cannot take it is skipped); then the client's denials are dropped.
     */
    private void onBoth(String key, Runnable onPrimary, Runnable onFallback) {
        try {
            operation(() -> {
                onPrimary.run();
                return null;
            }, () -> null);
        } finally {
            try {
                onFallback.run();
            } catch (UnsupportedOperationException e) {
                LOG.debug("the fallback limiter cannot take this operation", e);
            }
            dropDenials(key);
        }
    }

    private void dropDenials(String key) {
        if (denials != null) {
            denials.invalidate(key);
        }
    }

    /**
     * An operation on the primary behind the breaker (recorded like a request's call), or {@code otherwise} while the
     * breaker is open or when the call fails; a Redis failure never reaches the caller.
     */
    private <T> T operation(Supplier<T> onPrimary, Supplier<T> otherwise) {
        if (!breaker.tryAcquirePermission()) {
            return otherwise.get();
        }
        long start = System.nanoTime();
        T result;
        try {
            result = onPrimary.get();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            breaker.releasePermission(); // the caller's or the primary's own limitation, not a failing Redis
            throw e;
        } catch (RuntimeException e) {
            lastFailure = e;
            long took = System.nanoTime() - start;
            breaker.onError(took, TimeUnit.NANOSECONDS, e);
            metrics.redisCall(took, false);
            LOG.debug("Redis rate-limit operation failed; the fallback takes it", e);
            return otherwise.get();
        }
        long took = System.nanoTime() - start;
        breaker.onSuccess(took, TimeUnit.NANOSECONDS);
        metrics.redisCall(took, true);
        return result;
    }

    /**
     * The primary's decision behind the breaker, or the policy's while the breaker is open or when the call fails:
     * for one key ({@code key} and {@code rules}) or for rules on several keys ({@code keyed}, the others null).
     */
    private Decision guarded(String key, List<RateLimitRule> rules, List<KeyedRule> keyed) {
        if (!breaker.tryAcquirePermission()) {
            return policy.decide(key, rules, keyed);
        }
        long start = System.nanoTime();
        try {
            Decision decision = keyed != null ? primary.acquire(keyed)
                : denials != null ? denials.acquire(key, rules) : primary.acquire(key, rules);
            long took = System.nanoTime() - start;
            breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            metrics.redisCall(took, true);
            return decision;
        } catch (RuntimeException e) {
            lastFailure = e;
            long took = System.nanoTime() - start;
            breaker.onError(took, TimeUnit.NANOSECONDS, e);
            metrics.redisCall(took, false);
            LOG.debug("Redis rate-limit call failed; deciding by policy {}", config.policy(), e);
            return policy.decide(key, rules, keyed);
        }
    }

    /**
     * The breaker's state.
     *
     * @return {@code CLOSED} while Redis decides, {@code OPEN} while the failure policy does, {@code HALF_OPEN}
     *         while trial calls probe Redis
     */
    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    /**
     * The Resilience4j breaker itself, e.g. to bind its metrics or listen to its events.
     *
     * @return the breaker guarding the primary limiter
     */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /**
     * The policy and instance share in force, and the breaker settings unless the application gave its own
     * {@code CircuitBreakerConfig} (then {@code circuitBreaker().getCircuitBreakerConfig()} has those).
     *
     * @return the configuration this limiter was built with
     */
    public FallbackConfig config() {
        return config;
    }

    /** Closes the primary limiter and the in-memory fallback if this limiter created it. */
    @Override
    public void close() {
        metrics.unbindCircuitBreaker(breaker);
        if (registry != null && registry.find(breaker.getName()).orElse(null) == breaker) {
            registry.remove(breaker.getName()); // a limiter built later under the same name gets a fresh breaker
        }
        try {
            primary.close();
        } finally {
            if (ownsFallback) {
                fallback.close();
            }
        }
    }

    /** Builds a {@link FallbackRateLimiter}. */
    public static final class Builder {
        private RateLimiter primary;
        private RateLimiter fallback;
        private FallbackConfig config = FallbackConfig.ofDefaults();
        private TimeSource timeSource = TimeSource.system();
        private boolean ownClock;
        private long denialCacheKeys;
        private String name = "redis";
        private RateLimitMetrics metrics = RateLimitMetrics.none();
        private CircuitBreakerConfig breakerConfig;
        private CircuitBreakerRegistry registry;

        private Builder() {
        }

        /**
         * The limiter to guard, normally a {@code RedisRateLimiter} (required).
         *
         * @param primary the limiter to guard; closed when this limiter is closed
         * @return this builder
         * @throws IllegalArgumentException when {@code primary} is null
         */
        public Builder primary(RateLimiter primary) {
            if (primary == null) {
                throw new IllegalArgumentException("primary must not be null");
            }
            this.primary = primary;
            return this;
        }

        /**
         * The limiter used while the primary fails; an in-memory limiter on {@link #timeSource} unless set.
         *
         * @param fallback the limiter for {@link FailurePolicy#FALLBACK}; null for the default. A limiter given here
         *                 is not closed by this one
         * @return this builder
         */
        public Builder fallback(RateLimiter fallback) {
            this.fallback = fallback;
            return this;
        }

        /**
         * Policy and breaker settings; {@link FallbackConfig#ofDefaults()} unless set.
         *
         * @param config the settings
         * @return this builder
         * @throws IllegalArgumentException when {@code config} is null
         */
        public Builder config(FallbackConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            this.config = config;
            return this;
        }

        /**
         * The application's own Resilience4j breaker configuration, used as it is instead of the breaker settings of
         * {@link #config(FallbackConfig)} (whose policy and instance count still apply). Its first open-state wait
         * is also the {@code Retry-After} of {@link FailurePolicy#DENY} answers. Its clock is kept when it has one
         * (anything but {@code Clock.systemUTC()}, Resilience4j's default); otherwise the breaker measures on
         * {@link #timeSource(TimeSource)}, as with the limiter's own configuration. Unset: the breaker is built from
         * the {@link FallbackConfig}.
         *
         * @param breakerConfig the configuration, e.g. {@code registry.getDefaultConfig()} or
         *                      {@code registry.getConfiguration("redis").orElseThrow()}; null for the default
         * @return this builder
         */
        public Builder circuitBreakerConfig(CircuitBreakerConfig breakerConfig) {
            this.breakerConfig = breakerConfig;
            return this;
        }

        /**
         * The application's Resilience4j registry: the breaker is created in it under {@link #name(String)}, so it
         * shows up wherever the application watches its breakers (its metrics, health or actuator endpoints), and
         * removed from it when this limiter is closed. The breaker's configuration is still the one of
         * {@link #circuitBreakerConfig} or the {@link FallbackConfig}, not the registry's default. Unset: the breaker
         * belongs to no registry.
         *
         * @param registry the registry; null for none
         * @return this builder
         */
        public Builder circuitBreakerRegistry(CircuitBreakerRegistry registry) {
            this.registry = registry;
            return this;
        }

        /**
         * The clock of the breaker's open-state wait and of the default fallback; the system clock unless set.
         *
         * @param timeSource the clock
         * @return this builder
         * @throws IllegalArgumentException when {@code timeSource} is null
         */
        public Builder timeSource(TimeSource timeSource) {
            if (timeSource == null) {
                throw new IllegalArgumentException("timeSource must not be null");
            }
            this.timeSource = timeSource;
            this.ownClock = true;
            return this;
        }

        /**
         * The local denial cache, in front of the primary and before the breaker: a denial Redis gave whose wait is
         * certain is kept, and the same one-key request (same client key, same rules) is denied locally until that
         * wait is over, even while the breaker is open, without a Redis call (and without counting as one for the
         * breaker). See docs/failure-behaviour.md, "Local denial cache". Off unless set.
         *
         * <p>The cache reads the clock set with {@link #timeSource(TimeSource)}, which must then be the primary's;
         * without one it reads the system clock, with a margin for the drift from Redis's own clock.
         *
         * @param maximumKeys the most denials kept; 0 turns the cache off
         * @return this builder
         * @throws IllegalArgumentException when {@code maximumKeys} is negative
         */
        public Builder denialCache(long maximumKeys) {
            if (maximumKeys < 0) {
                throw new IllegalArgumentException("denial cache size must be 0 (off) or more, was " + maximumKeys);
            }
            this.denialCacheKeys = maximumKeys;
            return this;
        }

        /**
         * The breaker's name, shown in logs and metrics; {@code redis} unless set.
         *
         * @param name a non-blank name
         * @return this builder
         * @throws IllegalArgumentException when {@code name} is null or blank
         */
        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Where to report Redis call latency and the breaker's own metrics (bound when built, unbound on
         * {@code close()}); {@link RateLimitMetrics#none()} unless set.
         *
         * @param metrics where to report, e.g. {@code MicrometerMetrics.of(registry)}
         * @return this builder
         * @throws IllegalArgumentException when {@code metrics} is null
         */
        public Builder metrics(RateLimitMetrics metrics) {
            if (metrics == null) {
                throw new IllegalArgumentException("metrics must not be null");
            }
            this.metrics = metrics;
            return this;
        }

        /**
         * The limiter.
         *
         * @return the limiter
         * @throws IllegalStateException when {@code primary} is unset, when both an application's
         *         {@code CircuitBreakerConfig} and a {@code FallbackConfig} with breaker settings are given (only the
         *         policy and instance count may accompany an application's breaker configuration), or when the
         *         registry already has a breaker under this limiter's name
         */
        public FallbackRateLimiter build() {
            if (primary == null) {
                throw new IllegalStateException("primary(…) is required");
            }
            if (breakerConfig != null && config.breakerSettingsSet()) {
                throw new IllegalStateException("circuitBreakerConfig(…) replaces the breaker settings of the "
                        + "FallbackConfig; set only its policy and instanceCount, or no circuitBreakerConfig ("
                        + config + ")");
            }
            if (registry != null && registry.find(name).isPresent()) {
                throw new IllegalStateException("the circuit breaker registry already has a breaker named '" + name
                        + "'; give this limiter another name(…)");
            }
            return new FallbackRateLimiter(this);
        }
    }
}
