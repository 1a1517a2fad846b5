package dev.ratelimit.contract;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.fallback.FallbackRateLimiter;

/**
 * The {@link RateLimiterContract} for {@link FallbackRateLimiter} while it decides by its failure policy: the limiter
 * of {@link FallbackRateLimiterContractTest} with its breaker forced open, the default policy {@code FALLBACK} with
 * one instance (so the rules are not shared out). Every decision comes from the in-memory fallback.
 */
class FallbackOpenBreakerContractTest extends FallbackRateLimiterContractTest {

    @Override
    protected RateLimiter newLimiter(TimeSource clock) {
        FallbackRateLimiter limiter = (FallbackRateLimiter) super.newLimiter(clock);
        limiter.circuitBreaker().transitionToForcedOpenState();
        return limiter;
    }

    @Override
    protected Store expectedStore() {
        return Store.FALLBACK;
    }
}
