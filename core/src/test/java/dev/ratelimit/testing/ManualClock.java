package dev.ratelimit.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.ratelimit.core.TimeSource;

/**
 * A {@link TimeSource} that only moves when a test moves it: tests advance time instead of sleeping. Thread-safe.
 */
public final class ManualClock implements TimeSource {

    /** 2026-01-01T00:00:00Z in microseconds since the epoch: the default start, a realistic wall-clock reading. */
    public static final long DEFAULT_START_MICROS = 1_767_225_600_000_000L;

    private final AtomicLong micros;

    /** A clock reading {@link #DEFAULT_START_MICROS} (2026-01-01T00:00:00Z). */
    public ManualClock() {
        this(DEFAULT_START_MICROS);
    }

    /** A clock reading {@code startMicros}. */
    public ManualClock(long startMicros) {
        this.micros = new AtomicLong(startMicros);
    }

    /** The current reading in microseconds. */
    @Override
    public long nowMicros() {
        return micros.get();
    }

    /**
     * Moves the clock forward by {@code duration} (truncated to whole microseconds).
     *
     * @return the new reading
     * @throws IllegalArgumentException if {@code duration} is negative (use {@link #set(long)} to go back)
     */
    public long advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot advance by a negative duration: " + duration);
        }
        return advanceMicros(TimeUnit.MICROSECONDS.convert(duration));
    }

    /**
     * Moves the clock forward by {@code deltaMicros}.
     *
     * @return the new reading
     * @throws IllegalArgumentException if {@code deltaMicros} is negative (use {@link #set(long)} to go back)
     * @throws ArithmeticException if the reading would overflow
     */
    public long advanceMicros(long deltaMicros) {
        if (deltaMicros < 0) {
            throw new IllegalArgumentException("cannot advance by a negative amount: " + deltaMicros + " µs");
        }
        return micros.accumulateAndGet(deltaMicros, Math::addExact);
    }

    /** Sets the reading to {@code nowMicros}, forwards or backwards. */
    public void set(long nowMicros) {
        micros.set(nowMicros);
    }

    @Override
    public String toString() {
        return "ManualClock[" + micros.get() + " µs]";
    }
}
