/**
 * Deciding while Redis fails: {@link dev.ratelimit.fallback.FallbackRateLimiter} puts a Resilience4j circuit breaker
 * in front of the Redis limiter and, while calls fail or the breaker is open, applies the
 * {@link dev.ratelimit.fallback.FailurePolicy} (an in-memory limiter, fail open or fail closed), configured by
 * {@link dev.ratelimit.fallback.FallbackConfig}.
 */
package dev.ratelimit.fallback;
