package dev.ratelimit.internal;

import dev.ratelimit.core.RateLimitRule;
import java.time.Duration;

/** The argument checks every store makes for {@code RateLimiter#reset}, {@code #block} and {@code #refund}. */
public final class Operations {

    private static final Duration MIN_BLOCK = Duration.ofMillis(1);
    private static final Duration MAX_BLOCK = Duration.ofDays(366);

    private Operations() {
    }

    /**
     * Checks an operation's key and rule.
     *
     * @param key  the client key
     * @param rule the rule
     * @return the key
     * @throws IllegalArgumentException when the key is null or empty, or the rule null
     */
    public static String checkRule(String key, RateLimitRule rule) {
        ClientKeys.checkKey(key);
        if (rule == null) {
            throw new IllegalArgumentException("a rule is needed");
        }
        return key;
    }

    /**
     * A block's duration in microseconds.
     *
     * @param duration from 1 ms to 366 days
     * @return the duration in µs
     * @throws IllegalArgumentException when the duration is null or out of range
     */
    public static long blockMicros(Duration duration) {
        if (duration == null || duration.compareTo(MIN_BLOCK) < 0 || duration.compareTo(MAX_BLOCK) > 0) {
            throw new IllegalArgumentException("a block lasts from 1ms to 366d, was " + duration);
        }
        return duration.toNanos() / 1_000L;
    }

    /**
     * The permits a refund gives back: more than the largest limit gives back as much as the largest limit.
     *
     * @param permits at least 1
     * @return {@code permits}, at most {@link RateLimitRule#MAX_LIMIT}
     * @throws IllegalArgumentException when {@code permits} is less than 1
     */
    public static long refundPermits(long permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("a refund gives back at least 1 permit, was " + permits);
        }
        return Math.min(permits, RateLimitRule.MAX_LIMIT);
    }
}
