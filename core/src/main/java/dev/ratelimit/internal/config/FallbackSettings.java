package dev.ratelimit.internal.config;

import static dev.ratelimit.internal.config.RateLimitSettings.MAX_DURATION;
import static dev.ratelimit.internal.config.RateLimitSettings.apply;
import static dev.ratelimit.internal.config.RateLimitSettings.shortName;

import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.internal.Durations;
import java.util.function.Function;

/**
 * The {@code ratelimit.fallback.*} and {@code ratelimit.breaker.*} settings: the failure policy and the circuit
 * breaker, each value applied once to the {@link FallbackConfig} builder, which checks it.
 */
final class FallbackSettings {

    static final String FALLBACK_POLICY = "ratelimit.fallback.policy";
    static final String FALLBACK_INSTANCE_COUNT = "ratelimit.fallback.instance-count";
    static final String BREAKER_FAILURE_RATE = "ratelimit.breaker.failure-rate-threshold";
    static final String BREAKER_SLOW_CALL_RATE = "ratelimit.breaker.slow-call-rate-threshold";
    static final String BREAKER_SLOW_CALL_DURATION = "ratelimit.breaker.slow-call-duration";
    static final String BREAKER_WAIT_IN_OPEN_STATE = "ratelimit.breaker.wait-in-open-state";
    static final String BREAKER_SLIDING_WINDOW_SIZE = "ratelimit.breaker.sliding-window-size";
    static final String BREAKER_MINIMUM_CALLS = "ratelimit.breaker.minimum-calls";
    static final String BREAKER_HALF_OPEN_CALLS = "ratelimit.breaker.half-open-calls";

    private FallbackSettings() {
    }

    /** {@return the failure policy and breaker configuration the settings give} */
    static FallbackConfig read(Function<String, Setting> in) {
        FallbackConfig.Builder fallback = FallbackConfig.custom();
        apply(in.apply(FALLBACK_POLICY), s -> fallback.policy(Values.oneOf(s.text(), FailurePolicy.class, s.errors())));
        apply(in.apply(FALLBACK_INSTANCE_COUNT), s -> fallback.instanceCount(Values.integer(s.text(), s.errors())));
        apply(in.apply(BREAKER_FAILURE_RATE), s -> fallback.failureRateThreshold(Values.decimal(s.text(), s.errors())));
        apply(in.apply(BREAKER_SLOW_CALL_RATE),
                s -> fallback.slowCallRateThreshold(Values.decimal(s.text(), s.errors())));
        apply(in.apply(BREAKER_SLOW_CALL_DURATION),
                s -> fallback.slowCallDurationThreshold(Values.duration(s.text(), MAX_DURATION, s.errors())));
        apply(in.apply(BREAKER_WAIT_IN_OPEN_STATE),
                s -> fallback.waitDurationInOpenState(Values.duration(s.text(), MAX_DURATION, s.errors())));
        apply(in.apply(BREAKER_SLIDING_WINDOW_SIZE),
                s -> fallback.slidingWindowSize(Values.integer(s.text(), s.errors())));
        apply(in.apply(BREAKER_MINIMUM_CALLS),
                s -> fallback.minimumNumberOfCalls(Values.integer(s.text(), s.errors())));
        apply(in.apply(BREAKER_HALF_OPEN_CALLS),
                s -> fallback.permittedCallsInHalfOpenState(Values.integer(s.text(), s.errors())));
        return fallback.build();
    }

    /** {@return the configuration as the settings line lists it: {@code , fallback.policy=…, breaker.…}} */
    static String describe(FallbackConfig f) {
        return ", " + shortName(FALLBACK_POLICY) + "=" + f.policy()
                + ", " + shortName(FALLBACK_INSTANCE_COUNT) + "=" + f.instanceCount()
                + ", " + shortName(BREAKER_FAILURE_RATE) + "=" + percent(f.failureRateThreshold())
                + ", " + shortName(BREAKER_SLOW_CALL_RATE) + "=" + percent(f.slowCallRateThreshold())
                + ", " + shortName(BREAKER_SLOW_CALL_DURATION) + "=" + Durations.format(f.slowCallDurationThreshold())
                + ", " + shortName(BREAKER_WAIT_IN_OPEN_STATE) + "=" + Durations.format(f.waitDurationInOpenState())
                + ", " + shortName(BREAKER_SLIDING_WINDOW_SIZE) + "=" + f.slidingWindowSize()
                + ", " + shortName(BREAKER_MINIMUM_CALLS) + "=" + f.minimumNumberOfCalls()
                + ", " + shortName(BREAKER_HALF_OPEN_CALLS) + "=" + f.permittedCallsInHalfOpenState();
    }

    private static String percent(float value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Float.toString(value);
    }
}
