package dev.ratelimit.fallback;

import dev.ratelimit.core.TimeSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} reading the limiter's {@link TimeSource}: the breaker measures its open-state wait on it, so tests
 * control it.
 */
final class TimeSourceClock extends Clock {
    private final TimeSource time;

    TimeSourceClock(TimeSource time) {
        this.time = time;
    }

    @Override
    public ZoneOffset getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the rate limiter's clock has no zone");
    }

    @Override
    public long millis() {
        return time.nowMicros() / 1_000L;
    }

    @Override
    public Instant instant() {
        long micros = time.nowMicros();
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
