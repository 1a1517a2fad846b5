package dev.ratelimit.metrics;

import dev.ratelimit.core.Decision;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** {@link RateLimitMetrics#none()}: reports nothing. */
enum NoMetrics implements RateLimitMetrics {
    INSTANCE;

    /** Whether Micrometer is on the classpath; checked here, in a class that does not link to it. */
    static final boolean MICROMETER_PRESENT = isPresent("io.micrometer.core.instrument.MeterRegistry");

    static boolean isPresent(String className) {
        try {
            Class.forName(className, false, NoMetrics.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public void decision(Decision decision, Outcome outcome) {
    }

    @Override
    public void redisCall(long nanos, boolean succeeded) {
    }

    @Override
    public void denialCacheHit() {
    }

    @Override
    public void bindCircuitBreaker(CircuitBreaker breaker) {
    }

    @Override
    public void unbindCircuitBreaker(CircuitBreaker breaker) {
    }

    @Override
    public String toString() {
        return "none";
    }
}
