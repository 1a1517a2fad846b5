/**
 * {@link dev.ratelimit.memory.InMemoryRateLimiter}: every algorithm with its state in this JVM, in a bounded cache.
 * The store when no Redis is configured, and the fallback while Redis fails; its answers match the Redis limiter's
 * for the same requests and times. The per-algorithm state classes are internal.
 */
package dev.ratelimit.memory;
