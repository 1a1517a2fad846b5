package dev.ratelimit.fallback;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The decisions of the {@link FailurePolicy} while Redis cannot decide (its call failed, or the breaker is open):
 * {@code ALLOW} and {@code DENY} without counting, {@code FALLBACK} by the in-memory limiter on each rule's instance
 * share.
 */
final class FailurePolicyDecider {

    private final FailurePolicy policy;
    private final RateLimiter fallback;
    private final InstanceShares shares;
    private final Duration openWait;

    /**
     * A decider for one limiter.
     *
     * @param config   the policy and the instance count
     * @param fallback the limiter deciding under {@link FailurePolicy#FALLBACK}
     * @param openWait the breaker's first open-state wait: the retry-after of {@link FailurePolicy#DENY} answers
     */
    FailurePolicyDecider(FallbackConfig config, RateLimiter fallback, Duration openWait) {
        this.policy = config.policy();
        this.fallback = fallback;
        this.shares = new InstanceShares(config.instanceCount());
        this.openWait = openWait;
    }

    /**
     * The policy's decision for one key ({@code key} and {@code rules}) or for rules on several keys ({@code keyed},
     * the others null).
     */
    Decision decide(String key, List<RateLimitRule> rules, List<KeyedRule> keyed) {
        switch (policy) {
            case ALLOW:
            case DENY:
                List<RateLimitRule> plain = rules;
                if (keyed != null) {
                    plain = new ArrayList<>(keyed.size());
                    for (KeyedRule r : keyed) {
                        plain.add(r.rule());
                    }
                }
                return unavailable(plain, policy == FailurePolicy.ALLOW);
            default:
                Decision local = keyed == null ? fallback.acquire(key, shares.of(rules))
                        : fallback.acquire(shares.ofKeyed(keyed));
                return local.withStore(Store.FALLBACK);
        }
    }

    /** The policy's answer to a peek: {@code ALLOW} and {@code DENY} as for a request, {@code FALLBACK} the fallback's. */
    Decision peek(String key, List<RateLimitRule> rules) {
        if (policy != FailurePolicy.FALLBACK) {
            return unavailable(rules, policy == FailurePolicy.ALLOW);
        }
        return fallback.peek(key, shares.of(rules)).withStore(Store.FALLBACK);
    }

    /** The rule the fallback counts on for {@code rule}: its instance share. */
    RateLimitRule share(RateLimitRule rule) {
        return shares.of(List.of(rule)).get(0);
    }

    private Decision unavailable(List<RateLimitRule> rules, boolean allowed) {
        long retry = allowed ? 0 : openWait.toNanos() / 1_000L;
        List<RuleOutcome> limits = new ArrayList<>(rules.size());
        for (RateLimitRule rule : rules) {
            limits.add(new RuleOutcome(rule, allowed, allowed ? rule.limit() : 0, 0, retry));
        }
        return Decision.of(Store.NONE, limits);
    }
}
