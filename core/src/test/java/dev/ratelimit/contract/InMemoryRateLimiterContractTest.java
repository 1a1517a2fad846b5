package dev.ratelimit.contract;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.memory.InMemoryRateLimiter;

/** The {@link RateLimiterContract} for the in-memory limiter. */
class InMemoryRateLimiterContractTest extends RateLimiterContract {

    @Override
    protected RateLimiter newLimiter(TimeSource clock) {
        return InMemoryRateLimiter.custom().timeSource(clock).build();
    }

    @Override
    protected Store expectedStore() {
        return Store.MEMORY;
    }
}
