package dev.ratelimit.internal;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import java.util.List;

/**
 * A limiter that keeps a local denial cache ({@link DenialCachingRateLimiter}, or a store built with one): a limiter
 * wrapping it, such as the fallback limiter, asks it before its own work, so denials served locally are no calls
 * to the wrapped store.
 */
public interface LocalDenials {

    /**
     * The denial the local denial cache holds for this request right now, or null: no cache, no denial held, or its
     * wait is over. Makes no call to the store.
     *
     * @param key   the client key, as given to {@code acquire}
     * @param rules the rules, as given to {@code acquire}
     * @return the cached denial, or null
     * @throws IllegalArgumentException when the key or the rules are invalid, as in {@code acquire}
     */
    Decision cachedDenial(String key, List<RateLimitRule> rules);
}
