package dev.ratelimit.fallback;

import dev.ratelimit.core.TimeSource;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;

/**
 * The configuration of the fallback limiter's circuit breaker, measured on the limiter's clock: from its
 * {@link FallbackConfig}, or the application's own.
 */
final class CircuitBreakerConfigs {

    private CircuitBreakerConfigs() {
    }

    /** The breaker settings of a {@link FallbackConfig}, every failure recorded, measured on the limiter's clock. */
    static CircuitBreakerConfig of(FallbackConfig c, TimeSource time) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(c.failureRateThreshold())
                .slowCallRateThreshold(c.slowCallRateThreshold())
                .slowCallDurationThreshold(c.slowCallDurationThreshold())
                .slidingWindow(c.slidingWindowSize(), c.minimumNumberOfCalls(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(c.waitDurationInOpenState())
                .permittedNumberOfCallsInHalfOpenState(c.permittedCallsInHalfOpenState())
                .recordException(e -> true)
                .clock(new TimeSourceClock(time))
                .build();
    }

    /**
     * An application's breaker configuration, as given when it has a clock of its own (anything but
     * {@code Clock.systemUTC()}, Resilience4j's default) or when the limiter runs on the system clock; otherwise a copy
     * on the limiter's clock, so a test's clock drives the open-state wait as with the limiter's own configuration.
     */
    static CircuitBreakerConfig onClock(CircuitBreakerConfig app, TimeSource time) {
        if (!Clock.systemUTC().equals(app.getClock()) || time == TimeSource.system()) {
            return app;
        }
        return CircuitBreakerConfig.from(app).clock(new TimeSourceClock(time)).build();
    }
}
