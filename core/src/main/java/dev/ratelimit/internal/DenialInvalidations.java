package dev.ratelimit.internal;

/**
 * A limiter that tells local denial caches when a client's state was reset, refunded or blocked on any instance
 * sharing its store (the Redis limiter: over Redis pub/sub). A {@link DenialCachingRateLimiter} wrapping such a limiter
 * registers itself when it is built. Internal.
 */
public interface DenialInvalidations {

    /**
     * From now until this limiter is closed, makes {@code cache} drop a client's denials when another instance (or
     * this one) resets, refunds or blocks it, and drop all its denials whenever messages may have been missed.
     *
     * @param cache the cache to keep right
     */
    void invalidateDenialsOf(DenialCachingRateLimiter cache);
}
