package dev.ratelimit.fallback;

import java.time.Duration;

/**
 * Settings of a {@link FallbackRateLimiter}: the failure policy, the instance share of the in-memory limits, and the
 * Resilience4j circuit breaker in front of Redis. Defaults favour quick recovery: the breaker opens when half of
 * the last 20 calls failed or were slower than 200 ms (at least 5 calls seen), probes Redis again after 5 seconds
 * (not Resilience4j's 60 s) with 3 trial calls, and closes when they succeed. An application's own
 * {@code CircuitBreakerConfig}, given to {@link FallbackRateLimiter.Builder#circuitBreakerConfig}, replaces the breaker
 * settings (then only the policy and the instance count may be set here).
 */
public final class FallbackConfig {

    private final FailurePolicy policy;
    private final int instanceCount;
    private final float failureRateThreshold;
    private final float slowCallRateThreshold;
    private final Duration slowCallDurationThreshold;
    private final int slidingWindowSize;
    private final int minimumNumberOfCalls;
    private final Duration waitDurationInOpenState;
    private final int permittedCallsInHalfOpenState;
    private final boolean breakerSettingsSet;

    private FallbackConfig(Builder b) {
        this.policy = b.policy;
        this.instanceCount = b.instanceCount;
        this.failureRateThreshold = b.failureRateThreshold;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
        this.slowCallDurationThreshold = b.slowCallDurationThreshold;
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumNumberOfCalls = Math.min(b.minimumNumberOfCalls, b.slidingWindowSize);
        this.waitDurationInOpenState = b.waitDurationInOpenState;
        this.permittedCallsInHalfOpenState = b.permittedCallsInHalfOpenState;
        this.breakerSettingsSet = b.breakerSettingsSet;
    }

    /**
     * The defaults described above, with policy {@link FailurePolicy#FALLBACK} and one instance.
     *
     * @return the default configuration
     */
    public static FallbackConfig ofDefaults() {
        return custom().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * What happens to requests while Redis is unavailable.
     *
     * @return the failure policy
     */
    public FailurePolicy policy() {
        return policy;
    }

    /**
     * Expected number of instances sharing the limits: the in-memory fallback enforces each limit divided by this
     * (rounded up), so N instances together stay near it. A rule whose cost is above that share, but within its full
     * limit, keeps the same rate with a limit equal to the cost over a proportionally longer window (see
     * {@code docs/failure-behaviour.md}), so a request Redis would admit can pass on the fallback too.
     *
     * @return at least 1
     */
    public int instanceCount() {
        return instanceCount;
    }

    /**
     * Percentage of failed calls that opens the breaker.
     *
     * @return a percentage from 1 to 100
     */
    public float failureRateThreshold() {
        return failureRateThreshold;
    }

    /**
     * Percentage of slow calls that opens the breaker.
     *
     * @return a percentage from 1 to 100
     */
    public float slowCallRateThreshold() {
        return slowCallRateThreshold;
    }

    /**
     * Calls slower than this count as slow.
     *
     * @return a positive duration
     */
    public Duration slowCallDurationThreshold() {
        return slowCallDurationThreshold;
    }

    /**
     * How many recent calls the breaker's rates are computed over.
     *
     * @return a number of calls, at least 1
     */
    public int slidingWindowSize() {
        return slidingWindowSize;
    }

    /**
     * How many calls the breaker needs before it computes a rate.
     *
     * @return a number of calls, at least 1 and at most {@link #slidingWindowSize()}
     */
    public int minimumNumberOfCalls() {
        return minimumNumberOfCalls;
    }

    /**
     * How long the breaker stays open before it lets trial calls through to Redis.
     *
     * @return a positive duration
     */
    public Duration waitDurationInOpenState() {
        return waitDurationInOpenState;
    }

    /**
     * Trial calls in the half-open state; when they succeed the breaker closes.
     *
     * @return a number of calls, at least 1
     */
    public int permittedCallsInHalfOpenState() {
        return permittedCallsInHalfOpenState;
    }

    /**
     * Whether any breaker setting (anything but the policy and the instance count) was set on the builder; such a
     * configuration cannot be combined with an application's own {@code CircuitBreakerConfig}.
     */
    boolean breakerSettingsSet() {
        return breakerSettingsSet;
    }

    @Override
    public String toString() {
        return "policy=" + policy + ", instanceCount=" + instanceCount + ", failureRateThreshold="
                + failureRateThreshold + "%, slowCallRateThreshold=" + slowCallRateThreshold
                + "%, slowCallDurationThreshold=" + slowCallDurationThreshold.toMillis() + "ms, slidingWindowSize="
                + slidingWindowSize + ", minimumNumberOfCalls=" + minimumNumberOfCalls + ", waitDurationInOpenState="
                + waitDurationInOpenState.toMillis() + "ms, permittedCallsInHalfOpenState="
                + permittedCallsInHalfOpenState;
    }

    /** Builds a {@link FallbackConfig}; each value is checked when set. */
    public static final class Builder {
        private FailurePolicy policy = FailurePolicy.FALLBACK;
        private int instanceCount = 1;
        private float failureRateThreshold = 50;
        private float slowCallRateThreshold = 50;
        private Duration slowCallDurationThreshold = Duration.ofMillis(200);
        private int slidingWindowSize = 20;
        private int minimumNumberOfCalls = 5;
        private Duration waitDurationInOpenState = Duration.ofSeconds(5);
        private int permittedCallsInHalfOpenState = 3;
        private boolean breakerSettingsSet;

        private Builder() {
        }

        /**
         * The failure policy; {@link FailurePolicy#FALLBACK} unless set.
         *
         * @param policy what happens to requests while Redis is unavailable
         * @return this builder
         * @throws IllegalArgumentException when {@code policy} is null
         */
        public Builder policy(FailurePolicy policy) {
            if (policy == null) {
                throw new IllegalArgumentException("policy must be one of FALLBACK, ALLOW, DENY");
            }
            this.policy = policy;
            return this;
        }

        /**
         * Expected number of instances sharing the limits; the fallback enforces about limit / count per window (a
         * cost above that keeps the rate over a longer window). 1 unless set.
         *
         * @param instanceCount at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code instanceCount} is less than 1
         */
        public Builder instanceCount(int instanceCount) {
            if (instanceCount < 1) {
                throw new IllegalArgumentException("instanceCount must be at least 1, was " + instanceCount);
            }
            this.instanceCount = instanceCount;
            return this;
        }

        /**
         * Failure percentage that opens the breaker; 50 unless set.
         *
         * @param percent from 1 to 100
         * @return this builder
         * @throws IllegalArgumentException when {@code percent} is outside 1–100
         */
        public Builder failureRateThreshold(float percent) {
            this.failureRateThreshold = percent("failureRateThreshold", percent);
            breakerSettingsSet = true;
            return this;
        }

        /**
         * Slow-call percentage that opens the breaker; 50 unless set.
         *
         * @param percent from 1 to 100
         * @return this builder
         * @throws IllegalArgumentException when {@code percent} is outside 1–100
         */
        public Builder slowCallRateThreshold(float percent) {
            this.slowCallRateThreshold = percent("slowCallRateThreshold", percent);
            breakerSettingsSet = true;
            return this;
        }

        /**
         * Calls slower than this count as slow; 200 ms unless set.
         *
         * @param threshold a positive duration
         * @return this builder
         * @throws IllegalArgumentException when {@code threshold} is null, zero or negative
         */
        public Builder slowCallDurationThreshold(Duration threshold) {
            this.slowCallDurationThreshold = positive("slowCallDurationThreshold", threshold);
            breakerSettingsSet = true;
            return this;
        }

        /**
         * Number of recent calls the rates are computed over; 20 unless set.
         *
         * @param calls at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code calls} is less than 1
         */
        public Builder slidingWindowSize(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("slidingWindowSize must be at least 1, was " + calls);
            }
            this.slidingWindowSize = calls;
            breakerSettingsSet = true;
            return this;
        }

        /**
         * Calls needed before a rate is computed; 5 unless set (capped at the sliding window size).
         *
         * @param calls at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code calls} is less than 1
         */
        public Builder minimumNumberOfCalls(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("minimumNumberOfCalls must be at least 1, was " + calls);
            }
            this.minimumNumberOfCalls = calls;
            breakerSettingsSet = true;
            return this;
        }

        /**
         * How long the breaker stays open before probing Redis; 5 s unless set.
         *
         * @param wait a positive duration
         * @return this builder
         * @throws IllegalArgumentException when {@code wait} is null, zero or negative
         */
        public Builder waitDurationInOpenState(Duration wait) {
            this.waitDurationInOpenState = positive("waitDurationInOpenState", wait);
            breakerSettingsSet = true;
            return this;
        }

        /**
         * Trial calls in half-open state; 3 unless set.
         *
         * @param calls at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code calls} is less than 1
         */
        public Builder permittedCallsInHalfOpenState(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("permittedCallsInHalfOpenState must be at least 1, was " + calls);
            }
            this.permittedCallsInHalfOpenState = calls;
            breakerSettingsSet = true;
            return this;
        }

        /**
         * The configuration.
         *
         * @return an immutable configuration with the values set
         */
        public FallbackConfig build() {
            return new FallbackConfig(this);
        }

        private static float percent(String name, float value) {
            if (!(value >= 1 && value <= 100)) {
                throw new IllegalArgumentException(name + " must be a percentage from 1 to 100, was " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
            }
            return value;
        }
    }
}
