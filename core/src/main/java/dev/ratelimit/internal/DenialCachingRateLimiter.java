package dev.ratelimit.internal;


import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.TimeSource;
import java.time.Duration;
import java.util.List;

/**
 * A local denial cache in front of any limiter: once the limiter it wraps has returned a Redis denial whose wait is
 * certain, the same one-key request (the normalized client key and exactly the same rules) is denied here until that
 * wait is over, without calling the wrapped limiter. What is kept and for how long is described on
 * {@link DenialCache} and in docs/failure-behaviour.md, "Local denial cache". Requests with rules on several keys
 * pass straight through.
 */
public final class DenialCachingRateLimiter implements RateLimiter {

    private final RateLimiter delegate;
    private final DenialCache denials;

    /**
     * Wraps a limiter.
     *
     * @param delegate    the limiter whose Redis denials are kept; closed with this one
     * @param maximumKeys the most denials kept, at least 1
     * @param clock       the clock the wrapped limiter sends to Redis, or null when Redis reads its own clock (the
     *                    system clock is then used, with a margin for the drift between the two)
     */
    public DenialCachingRateLimiter(RateLimiter delegate, long maximumKeys, TimeSource clock) {
        this.delegate = delegate;
        this.denials = new DenialCache(maximumKeys, clock == null ? TimeSource.system() : clock, clock == null);
        if (delegate instanceof DenialInvalidations source) {
            source.invalidateDenialsOf(this); // resets, refunds and blocks made on any instance
        }
    }

    @Override
    public Decision acquire(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        String client = ClientKeys.normalize(key);
        Decision cached = denials.get(client, rules);
        if (cached != null) {
            return cached;
        }
        long generation = denials.generation();
        long sentAt = denials.now(); // before the call: the round trip must not lengthen a denial
        Decision decision = delegate.acquire(key, rules);
        denials.offer(client, rules, sentAt, generation, decision);
        return decision;
    }

    /**
     * The denial held for this request right now, or null (none held, or its wait is over). Makes no call to the
     * wrapped limiter.
     *
     * @param key   the client key, as given to {@link #acquire(String, List)}
     * @param rules the rules, as given to {@link #acquire(String, List)}
     * @return the held denial, or null
     */
    public Decision cachedDenial(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        return denials.get(ClientKeys.normalize(key), rules);
    }

    @Override
    public Decision acquire(List<KeyedRule> rules) {
        return delegate.acquire(rules);
    }

    /** The wrapped limiter's peek: never served from the cache. */
    @Override
    public Decision peek(String key, List<RateLimitRule> rules) {
        return delegate.peek(key, rules);
    }

    /** The wrapped limiter's reset; then this cache drops the client's denials (also when the reset failed). */
    @Override
    public void reset(String key, RateLimitRule rule) {
        try {
            delegate.reset(key, rule);
        } finally {
            invalidate(key);
        }
    }

    /** The wrapped limiter's block; then this cache drops the client's denials (also when the block failed). */
    @Override
    public void block(String key, RateLimitRule rule, Duration duration) {
        try {
            delegate.block(key, rule, duration);
        } finally {
            invalidate(key);
        }
    }

    /** The wrapped limiter's refund; then this cache drops the client's denials (also when the refund failed). */
    @Override
    public void refund(String key, RateLimitRule rule, long permits) {
        try {
            delegate.refund(key, rule, permits);
        } finally {
            invalidate(key);
        }
    }

    /**
     * Drops the denials held for a client key: its state was reset, refunded or blocked here.
     *
     * @param key the client key as given to {@link #acquire(String, List)}; an empty key drops nothing
     */
    public void invalidate(String key) {
        if (key != null && !key.isEmpty()) {
            denials.invalidate(ClientKeys.normalize(key));
        }
    }

    /**
     * Drops the denials held for a client key in its store form ({@link ClientKeys#normalize}), as another instance's
     * message names it.
     *
     * @param storeForm the normalized client key
     */
    public void invalidateStoreForm(String storeForm) {
        denials.invalidate(storeForm);
    }

    /** Drops every denial held (invalidation messages may have been missed, e.g. while a subscription was down). */
    public void invalidateAll() {
        denials.invalidateAll();
    }

    /**
     * Denials held now (after pending evictions; for tests).
     *
     * @return the number of denials kept
     */
    public long cachedDenials() {
        return denials.size();
    }

    /** Closes the wrapped limiter. */
    @Override
    public void close() {
        delegate.close();
    }

    /** The wrapped limiter's description. */
    @Override
    public String toString() {
        return delegate.toString();
    }
}
