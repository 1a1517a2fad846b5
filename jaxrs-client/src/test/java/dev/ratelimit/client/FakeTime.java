package dev.ratelimit.client;

import dev.ratelimit.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * One controlled time for a test: the servers' limiters read it (a {@link ManualClock}, microseconds), the client
 * filter reads it as a {@link Clock}, and the filter's waits move it forward instead of sleeping, recording each.
 */
final class FakeTime extends Clock implements RateLimitClientFilter.Sleeper {

    final ManualClock micros = new ManualClock();
    private final List<Duration> sleeps = new ArrayList<>();

    @Override
    public Instant instant() {
        return Instant.EPOCH.plus(micros.nowMicros(), ChronoUnit.MICROS);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        micros.advance(duration);
    }

    void advance(Duration d) {
        micros.advance(d);
    }

    /** The waits so far, in order. */
    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    /** The sum of the waits so far. */
    synchronized Duration slept() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
