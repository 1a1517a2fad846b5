package dev.ratelimit.redis;

import java.time.Duration;

/**
 * Test-only access to the package-private options of {@link RedisRateLimiter.Builder} for tests in other packages.
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
}
