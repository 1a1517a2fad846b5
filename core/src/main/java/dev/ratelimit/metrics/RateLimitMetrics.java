package dev.ratelimit.metrics;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Where the limiter reports what it does: decisions by outcome, Redis call latency, the circuit breaker. The
 * request path calls it on every request, so implementations must be cheap and thread-safe. {@link #none()} reports
 * nothing; {@link MicrometerMetrics} reports to a Micrometer {@code MeterRegistry}. Micrometer is an optional
 * dependency: this interface never mentions it, so nothing breaks without it.
 */
public interface RateLimitMetrics {

    /** What became of a request. */
    enum Outcome {
        /** Admitted. */
        ALLOWED,
        /** Refused: answered 429 (or 503 under the fail-closed policy). */
        DENIED,
        /** Would have been refused, but admitted because shadow (dry-run) mode is on. */
        SHADOW_DENIED,
        /**
         * Admitted without being counted: the client is exempt by configuration ({@code ratelimit.exempt.*}), or the
         * rules resolver (or the plan table) gave the request no rule. Reported through
         * {@link #exempt(RateLimitRule)}, never to {@link #decision(Decision, Outcome)}: nothing was decided.
         */
        EXEMPT
    }

    /**
     * A request was decided.
     *
     * @param decision the decision; its reported (most restrictive) limit names the limit, its store says who decided
     * @param outcome  what the binding did with it
     */
    void decision(Decision decision, Outcome outcome);

    /**
     * A request was let through without a decision because its client is exempt by configuration (an exempt network,
     * principal or role) or its {@link dev.ratelimit.http.RulesResolver} returned no rule: the limiter was not asked. Methods exempt by {@code @RateLimitExempt} have no rate-limit
     * filter at all and are not reported.
     *
     * @param limit the first limit the endpoint declares, the one the request would have been reported under if it
     *              had been the most restrictive
     */
    default void exempt(RateLimitRule limit) {
        // nothing by default: an implementation written before exemptions existed keeps working
    }

    /** An operation on one client's counter: {@link #operation}. */
    enum Operation {
        /** The client's state was forgotten ({@code RateLimiter#reset}). */
        RESET,
        /** The client was blocked ({@code RateLimiter#block}). */
        BLOCK,
        /**
         * Permits were given back ({@code RateLimiter#refund}): by an operator, or because the response did not match
         * the rule's {@code countWhen}.
         */
        REFUND
    }

    /**
     * Counts an operation on one client's counter of {@code limit}: an operator's reset, block or refund (the admin
     * endpoint), or the refund of a response that does not count ({@code countWhen}).
     *
     * @param limit     the rule operated on
     * @param operation what was done
     */
    default void operation(RateLimitRule limit, Operation operation) {
        // nothing by default: an implementation written before the operations existed keeps working
    }

    /**
     * A call to Redis (the primary limiter behind the circuit breaker) returned or failed.
     *
     * @param nanos     how long it took, in nanoseconds
     * @param succeeded false when it threw (timeout, connection refused, script error…)
     */
    void redisCall(long nanos, boolean succeeded);

    /** A request was refused from the local denial cache, without a Redis call. */
    void denialCacheHit();

    /**
     * Starts reporting a circuit breaker's own metrics (state, calls, failure rate); called by the limiter that
     * owns the breaker when it is built.
     *
     * @param breaker the breaker
     */
    void bindCircuitBreaker(CircuitBreaker breaker);

    /**
     * Stops reporting a breaker's metrics; called when its limiter is closed, so a redeployed application does not
     * leave meters of a dead breaker behind.
     *
     * @param breaker the breaker given to {@link #bindCircuitBreaker}
     */
    void unbindCircuitBreaker(CircuitBreaker breaker);

    /** {@return reports nothing} */
    static RateLimitMetrics none() {
        return NoMetrics.INSTANCE;
    }

    /**
     * The default when an application names no registry: Micrometer's global registry
     * ({@code io.micrometer.core.instrument.Metrics.globalRegistry}) if Micrometer is on the classpath, else
     * {@link #none()}.
     *
     * @return the default metrics
     */
    static RateLimitMetrics defaults() {
        // MicrometerMetrics is loaded only when Micrometer is there: loading it links Micrometer's types
        return NoMetrics.MICROMETER_PRESENT ? MicrometerMetrics.ofGlobalRegistry() : none();
    }
}
