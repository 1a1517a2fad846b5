package dev.ratelimit.core;

/** Which store made a {@link Decision}. */
public enum Store {
    /** The shared Redis, through a Lua script: the decision is global across instances. */
    REDIS,
    /** This JVM's in-memory limiter, configured as the only store: the decision is local to this instance. */
    MEMORY,
    /** The in-memory fallback, while Redis is failing or its circuit breaker is open: local to this instance. */
    FALLBACK,
    /**
     * No store: Redis was failing and the failure policy decided without counting, admitting the request (fail
     * open) or refusing it (fail closed; the bindings answer 503 Service Unavailable, not 429).
     */
    NONE
}
