package com.acme;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;

public final class SharedLimiter {

    public static RateLimiter create() {
        return FallbackRateLimiter.custom()
                .primary(RedisRateLimiter.custom().uri("redis://redis.internal:6379").build()) // 100 ms timeouts
                .config(FallbackConfig.custom().policy(FailurePolicy.FALLBACK).instanceCount(4).build())
                .build();
    }

    private SharedLimiter() {
    }
}
