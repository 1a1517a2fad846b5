package dev.ratelimit.fallback;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules the in-memory fallback applies while Redis is unavailable: each rule's share for one of
 * {@link FallbackConfig#instanceCount()} instances (the rules themselves for one instance), computed once per rule and
 * kept for the next requests.
 */
final class InstanceShares {

    /** The longest window a rule may have: a stretched share never exceeds it. */
    private static final Duration MAX_WINDOW = Duration.ofDays(366);

    private final int instanceCount;
    private final Cache<RateLimitRule, RateLimitRule> sharedRules = Caffeine.newBuilder().maximumSize(10_000).build();

    InstanceShares(int instanceCount) {
        this.instanceCount = instanceCount;
    }

    /** One instance's share of each rule, in order. */
    List<RateLimitRule> of(List<RateLimitRule> rules) {
        return instanceCount == 1 ? rules : rules.stream().map(this::shareOf).toList();
    }

    /** One instance's share of each rule, each on its key, in order. */
    List<KeyedRule> ofKeyed(List<KeyedRule> rules) {
        return instanceCount == 1 ? rules
                : rules.stream().map(k -> new KeyedRule(k.key(), shareOf(k.rule()))).toList();
    }

    private RateLimitRule shareOf(RateLimitRule rule) {
        return sharedRules.get(rule, r -> share(r, instanceCount));
    }

    /**
     * One instance's share of a rule while Redis is unavailable: about 1/n of the rule's permits per unit of time.
     * Normally {@code ceil(limit / n)} permits per window. When the request's cost is above that but within the full
     * limit, such a share could never admit the request (Redis would), so the share keeps the same rate with a limit
     * that fits the cost: {@code cost} permits per {@code window × cost × n / limit} (rounded up to the millisecond,
     * at most 366 days). (A rule's cost never exceeds its full limit.)
     */
    private static RateLimitRule share(RateLimitRule rule, int n) {
        long limit = rule.limit();
        long divided = Math.max(1, (limit + n - 1) / n);
        int cost = rule.cost();
        if (cost <= divided) {
            return rule.toBuilder().limit(divided).build();
        }
        BigInteger[] millis = BigInteger.valueOf(rule.window().toMillis()).multiply(BigInteger.valueOf(cost))
                .multiply(BigInteger.valueOf(n)).divideAndRemainder(BigInteger.valueOf(limit));
        BigInteger window = millis[1].signum() == 0 ? millis[0] : millis[0].add(BigInteger.ONE);
        long windowMillis = window.min(BigInteger.valueOf(MAX_WINDOW.toMillis())).longValueExact();
        return rule.toBuilder().limit(cost).window(Duration.ofMillis(windowMillis)).build();
    }
}
