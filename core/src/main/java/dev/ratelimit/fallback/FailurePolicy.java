package dev.ratelimit.fallback;

/** What the limiter does with a request while Redis is failing or its circuit breaker is open. */
public enum FailurePolicy {
    /** Decide with the in-memory limiter, same algorithms and rules, per instance (the default). */
    FALLBACK,
    /** Fail open: admit every request without counting it. */
    ALLOW,
    /** Fail closed: refuse every request; the bindings answer 503 Service Unavailable. */
    DENY
}
