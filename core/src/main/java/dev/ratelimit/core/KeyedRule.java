package dev.ratelimit.core;

import java.util.Objects;

/**
 * One rule counted against one client key: the parts of a request whose rules take their keys from different places
 * (one per client IP, one per API key). {@link RateLimiter#acquire(java.util.List)} checks and consumes such parts
 * together, so a request denied by one rule consumes nothing from the others.
 *
 * @param key  the client key the rule counts against; long or unusual keys are hashed by the store
 * @param rule the rule; the request takes its {@link RateLimitRule#cost()}
 */
public record KeyedRule(String key, RateLimitRule rule) {

    /**
     * Checks the values.
     *
     * @param key  the client key, not empty
     * @param rule the rule, not null
     * @throws IllegalArgumentException when the key is null or empty or the rule is null
     */
    public KeyedRule {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("the rate-limit key is empty");
        }
        if (rule == null) {
            throw new IllegalArgumentException("rule must not be null");
        }
    }

    @Override
    public String toString() {
        return Objects.toString(rule) + " for " + key;
    }
}
