package dev.ratelimit.core;

/**
 * The rate-limiting algorithms. Each one exists twice with the same semantics: as a Lua script run atomically
 * inside Redis and as an in-memory twin of the same name. See {@code docs/algorithms.md} for the trade-offs.
 */
public enum Algorithm {
    /** A counter per calendar window of {@code window} length; exact per window, allows up to 2x at a boundary. */
    FIXED_WINDOW,
    /** One timestamp per permit in a sorted set; exact over any window, memory grows with the limit. */
    SLIDING_WINDOW_LOG,
    /** The current and previous window counters, weighted by overlap; approximate with a bounded error, O(1). */
    SLIDING_WINDOW_COUNTER,
    /** A bucket of {@code limit} tokens refilled continuously at {@code limit / window}; bursts up to the limit. */
    TOKEN_BUCKET,
    /** Generic cell rate algorithm: one theoretical arrival time per key; leaky bucket as a meter, O(1). */
    GCRA
}
