package com.acme;

import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

public final class RegistryLimiter {

    public static FallbackRateLimiter create(RedisRateLimiter redis, CircuitBreakerRegistry registry) {
        return FallbackRateLimiter.custom()
                .primary(redis)
                .name("ratelimit-redis")                          // the breaker's name in the registry
                .circuitBreakerRegistry(registry)                 // shows up where the application watches breakers
                .circuitBreakerConfig(registry.getConfiguration("redis").orElseThrow()) // optional: your settings
                .config(FallbackConfig.custom().policy(FailurePolicy.FALLBACK).instanceCount(4).build())
                .build();
    }

    private RegistryLimiter() {
    }
}
