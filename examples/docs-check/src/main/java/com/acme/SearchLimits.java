package com.acme;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;

public class SearchLimits {

    private static final RateLimitRule SEARCH = RateLimitRule.custom()
            .name("search").limit(100).window("1m").algorithm(Algorithm.SLIDING_WINDOW_COUNTER).build();

    private final RateLimiter limiter = FallbackRateLimiter.custom()
            .primary(RedisRateLimiter.custom().uri("redis://localhost:6379").build())
            .build();                         // or InMemoryRateLimiter.ofDefaults() without Redis

    public boolean maySearch(String user) {
        Decision d = limiter.acquire("user:" + user, SEARCH);
        // when refused: 429, Retry-After: d.retryAfterSeconds(); d.remaining(), d.resetAfter(), d.store() tell the rest
        return d.allowed();
    }
}
