package dev.ratelimit.core;

/** Which store made a {@link Decision}. */
public enum Store {
    /** The shared Redis, through a Lua script: the decision is global across instances. */
    REDIS,
    /** This JVM's in-memory limiter: the decision is local to this instance. */
    MEMORY
}
