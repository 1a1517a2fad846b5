package dev.ratelimit.fallback;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each state change of the fallback limiter's circuit breaker once, under the {@link FallbackRateLimiter}'s
 * logger: WARN when it opens (with Redis's last failure) or is forced open, INFO when it closes or half-opens.
 */
final class BreakerTransitionLog {

    private static final Logger LOG = LoggerFactory.getLogger(FallbackRateLimiter.class);

    private final String name;
    private final FailurePolicy policy;
    private final Duration openWait;
    private final Supplier<RuntimeException> lastFailure;

    /**
     * A log for one limiter's breaker.
     *
     * @param name        the limiter's name
     * @param policy      the policy that decides while the breaker is open
     * @param openWait    the breaker's first open-state wait
     * @param lastFailure the last failure of a Redis call, or null
     */
    BreakerTransitionLog(String name, FailurePolicy policy, Duration openWait,
            Supplier<RuntimeException> lastFailure) {
        this.name = name;
        this.policy = policy;
        this.openWait = openWait;
        this.lastFailure = lastFailure;
    }

    /** Logs one state change. */
    void log(CircuitBreakerOnStateTransitionEvent event) {
        CircuitBreaker.State to = event.getStateTransition().getToState();
        switch (to) {
            case FORCED_OPEN:
                // an operator's or the application's decision (circuitBreaker().transitionToForcedOpenState()), not
                // a Redis failure: say so rather than blame Redis
                LOG.warn("Rate limiter '{}': circuit breaker {} by the application; deciding by policy {} until it is "
                        + "released", name, event.getStateTransition(), policy);
                break;
            case OPEN:
                RuntimeException cause = lastFailure.get();
                LOG.warn("Rate limiter '{}': Redis is failing ({}), circuit breaker {}; deciding by policy {} for the "
                        + "next {} ms before probing Redis again", name,
                        cause == null ? "slow calls" : cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                        event.getStateTransition(), policy, openWait.toMillis());
                break;
            case CLOSED:
                LOG.info("Rate limiter '{}': Redis is healthy again, circuit breaker {}; decisions come from Redis",
                        name, event.getStateTransition());
                break;
            default:
                LOG.info("Rate limiter '{}': circuit breaker {}", name, event.getStateTransition());
        }
    }
}
