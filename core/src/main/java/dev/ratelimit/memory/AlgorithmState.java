package dev.ratelimit.memory;

import dev.ratelimit.core.Algorithm;

/**
 * The state of one rule for one key, mutated only under its stripe lock. Each subclass is the in-memory twin of the
 * Lua script of the same name (in {@code dev/ratelimit/redis}) and performs the same arithmetic, so both stores
 * give identical answers: {@link #evaluate} reads the state as of time {@code t} without changing what it means,
 * {@link #commit} then takes the permits if every rule of the request passed.
 */
abstract class AlgorithmState {

    /** When the state equals a fresh one again, in the limiter's microseconds; the cache drops it then. */
    long expiresAtMicros;

    /** Until when the cache keeps this state (at least {@link #expiresAtMicros}); see the limiter's {@code store}. */
    long leaseMicros;

    /** Checks a request of {@code cost} permits at time {@code t}; remembers what {@link #commit} needs. */
    abstract Check evaluate(long t, long limit, long window, long cost);

    /** Takes the permits checked by the last {@link #evaluate}, updating {@code check} to the values after it. */
    abstract void commit(Check check, long t, long limit, long window, long cost);

    /** An approximate heap footprint in bytes, reported by the memory benchmarks. */
    abstract long footprintBytes();

    static AlgorithmState create(Algorithm algorithm) {
        switch (algorithm) {
            case FIXED_WINDOW: return new FixedWindow();
            case SLIDING_WINDOW_LOG: return new SlidingWindowLog();
            case SLIDING_WINDOW_COUNTER: return new SlidingWindowCounter();
            case TOKEN_BUCKET: return new TokenBucket();
            case GCRA: return new Gcra();
            default: throw new IllegalArgumentException("unknown algorithm " + algorithm);
        }
    }

    /** One rule's verdict: before the commit the state as it is, after it the state with the permits taken. */
    static final class Check {
        final boolean ok;
        long remaining;
        long resetMicros;
        final long retryMicros;

        Check(boolean ok, long remaining, long resetMicros, long retryMicros) {
            this.ok = ok;
            this.remaining = Math.max(0, remaining);
            this.resetMicros = Math.max(0, resetMicros);
            this.retryMicros = ok ? 0 : Math.max(1, retryMicros); // a denial always has a wait, as in the script
        }
    }
}
