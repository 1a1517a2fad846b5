package dev.ratelimit.redis;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.Store;
import java.util.ArrayList;
import java.util.List;

/** Reads the rate-limit script's reply: one row of numbers per rule, as in the script's header. */
final class ScriptReply {

    private ScriptReply() {
    }

    /** The decision in a script's reply: {@code width} numbers per rule, the first five as in the script's header. */
    static Decision toDecision(Object reply, List<RateLimitRule> rules, int width) {
        List<?> values = (List<?>) reply;
        if (values.size() != width * rules.size()) {
            throw new IllegalStateException("unexpected reply from the rate-limit script: " + values);
        }
        if (rules.size() == 1) {
            return Decision.of(Store.REDIS, limitState(values, rules.get(0), 0)); // no list for the common case
        }
        List<RuleOutcome> limits = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            limits.add(limitState(values, rules.get(i), width * i));
        }
        return Decision.of(Store.REDIS, limits);
    }

    /**
     * A rule's five values in the script's reply from {@code at} on (allowed, remaining, reset, retry-after, and the
     * time until more than the remaining permits are available).
     */
    private static RuleOutcome limitState(List<?> values, RateLimitRule rule, int at) {
        return new RuleOutcome(rule, asLong(values.get(at)) == 1, asLong(values.get(at + 1)),
                asLong(values.get(at + 2)), asLong(values.get(at + 3)), asLong(values.get(at + 4)));
    }

    /** One number of the reply. */
    static long asLong(Object value) {
        return ((Number) value).longValue();
    }
}
