package dev.ratelimit.core;

/**
 * The limiters' source of time, in microseconds. Production uses {@link #system()}; tests inject a controlled
 * source and move it forward instead of sleeping. The Redis limiter uses the Redis server's clock unless it is
 * explicitly given a time source.
 */
@FunctionalInterface
public interface TimeSource {

    /**
     * The current time.
     *
     * @return microseconds; only differences between readings matter to the in-memory limiter
     */
    long nowMicros();

    /**
     * The production clock.
     *
     * @return a monotonic clock anchored to the wall clock at class initialisation; never goes backwards
     */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }
}
