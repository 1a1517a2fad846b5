package dev.ratelimit.core;

import java.util.List;

/**
 * Decides whether a request may proceed: it acquires each rule's cost in permits for a key, under one or several
 * rules at once. The rules are checked and consumed together: when one rule denies, nothing is consumed from the
 * others. Implementations are thread-safe; Redis and in-memory stores give the same answers for the same sequence
 * of requests and times.
 */
public interface RateLimiter extends AutoCloseable {

    /**
     * Acquires permits for {@code key} under all {@code rules}.
     *
     * @param key   the client's key (principal, IP, header value…); long or unusual keys are hashed by the store
     * @param rules one or more rules, no two with the same name and algorithm; each takes its own
     *              {@link RateLimitRule#cost()}
     * @return the decision
     * @throws IllegalArgumentException when the key is empty or the rules are empty or repeat a name and algorithm
     */
    Decision acquire(String key, List<RateLimitRule> rules);

    /**
     * Acquires permits for {@code key} under one rule.
     *
     * @param key  the client's key; long or unusual keys are hashed by the store
     * @param rule the rule; the request takes its {@link RateLimitRule#cost()}
     * @return the decision
     * @throws IllegalArgumentException when the key is empty
     */
    default Decision acquire(String key, RateLimitRule rule) {
        return acquire(key, List.of(rule));
    }

    /**
     * Acquires permits under rules that count against different keys, e.g. one rule per client IP and one per API
     * key. Every rule is checked and the permits are taken from all of them only when all pass: a request denied by
     * one rule consumes nothing from the others (on a Redis Cluster, where the keys may live on different nodes,
     * see {@code docs/algorithms.md} for the protocol and its exact guarantee).
     *
     * @param rules one or more rules with their keys, no two with the same key and the same counter (name,
     *              algorithm, limit and window)
     * @return one decision over all of them, its {@link Decision#limits()} in the order given
     * @throws IllegalArgumentException when the list is empty or repeats a key and counter
     */
    Decision acquire(List<KeyedRule> rules);

    /** Releases what the limiter holds (connections it created, caches); a no-op by default. */
    @Override
    default void close() {
    }
}
