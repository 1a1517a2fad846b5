package dev.ratelimit.core;

import java.time.Duration;
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

    /**
     * The decision a request of {@code rules} would get now, consuming nothing: what {@link #acquire(String, List)}
     * would answer, without taking the permits (an operator's look at a client, the admin endpoint's {@code GET}).
     *
     * @param key   the client's key, as for {@link #acquire(String, List)}
     * @param rules one or more rules, as for {@link #acquire(String, List)}
     * @return the decision, as if acquired, with nothing taken
     * @throws IllegalArgumentException      as {@link #acquire(String, List)}
     * @throws UnsupportedOperationException when this limiter cannot (an application's own implementation)
     */
    default Decision peek(String key, List<RateLimitRule> rules) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot peek");
    }

    /**
     * Forgets {@code key}'s state on {@code rule}'s counter (a block included): the client starts again with the full
     * limit. One atomic step (in Redis one command), for every instance sharing the store.
     *
     * @param key  the client's key
     * @param rule the rule whose counter is reset (its name, algorithm and counter identify it)
     * @throws IllegalArgumentException      when the key is empty
     * @throws UnsupportedOperationException when this limiter cannot
     */
    default void reset(String key, RateLimitRule rule) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot reset");
    }

    /**
     * Denies {@code key} on {@code rule}'s counter for {@code duration} from now, whatever the algorithm: every
     * request is refused, with a retry-after of the time the block has left; once it ends the client starts again
     * with the full limit. A later block replaces an earlier one; {@link #reset} lifts it.
     *
     * @param key      the client's key
     * @param rule     the rule whose counter is blocked
     * @param duration how long; from 1 ms to 366 days
     * @throws IllegalArgumentException      when the key is empty or the duration out of range
     * @throws UnsupportedOperationException when this limiter cannot
     */
    default void block(String key, RateLimitRule rule, Duration duration) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot block");
    }

    /**
     * Gives back up to {@code permits} permits {@code key} took on {@code rule}'s counter, as if fewer requests had
     * been counted, never above the limit (a success that should not count, a request that failed for the server's
     * own reasons). What each algorithm can give back exactly is in docs/operating.md.
     *
     * @param key     the client's key
     * @param rule    the rule whose counter gets the permits back
     * @param permits how many; at least 1
     * @throws IllegalArgumentException      when the key is empty or permits is less than 1
     * @throws UnsupportedOperationException when this limiter cannot
     */
    default void refund(String key, RateLimitRule rule, long permits) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot refund");
    }

    /** Releases what the limiter holds (connections it created, caches); a no-op by default. */
    @Override
    default void close() {
    }
}
