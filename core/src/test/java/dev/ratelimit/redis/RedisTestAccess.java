package dev.ratelimit.redis;

import dev.ratelimit.core.RateLimitRule;
import java.time.Duration;

/**
 * Test-only access to the package-private members of {@link RedisRateLimiter} and its builder, for tests in other
 * packages, other modules' tests and the benchmarks.
 */
public final class RedisTestAccess {

    private RedisTestAccess() {
    }

    /**
     * {@link RedisRateLimiter.Builder#ttlPadding(Duration)}: every key's TTL gets {@code padding} added, so keys
     * written on a virtual clock do not expire in real time; the test expires them itself.
     *
     * @param builder the builder
     * @param padding added to every PX
     * @return the builder
     */
    public static RedisRateLimiter.Builder ttlPadding(RedisRateLimiter.Builder builder, Duration padding) {
        return builder.ttlPadding(padding);
    }

    /**
     * {@link RedisRateLimiter#stateKey(String, RateLimitRule)}: the Redis key holding one rule's state for one client
     * key, for tests and measurements that read it from Redis.
     *
     * @param limiter the limiter
     * @param key     the client key
     * @param rule    the rule
     * @return the Redis key
     */
    public static String stateKey(RedisRateLimiter limiter, String key, RateLimitRule rule) {
        return limiter.stateKey(key, rule);
    }
}
