package dev.ratelimit.redis;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A request whose rules count against keys in different Redis Cluster slots, which no one script may touch
 * together: every group of rules sharing a slot is first checked without taking anything ("peek"); if one
 * denies, the request is denied and nothing was taken. Otherwise the groups are acquired one after another,
 * each atomically; if one now denies (another request took its permits between the check and the acquisition),
 * the groups already acquired get their permits back ({@code RateLimiterRefund.lua}) and the request is denied.
 * No rule ever admits more than its limit; docs/algorithms.md states what the refund restores exactly.
 */
final class ClusterAcquisition {
    private final RedisRateLimiter limiter;
    private final RedisConnection connection;
    private final List<String> clients;
    private final List<RateLimitRule> rules;
    private final List<List<Integer>> groups;
    private final long now;
    private final RuleOutcome[] states;

    ClusterAcquisition(RedisRateLimiter limiter, RedisConnection connection, List<String> clients,
            List<RateLimitRule> rules, Map<String, List<Integer>> groups, long now) {
        this.limiter = limiter;
        this.connection = connection;
        this.clients = clients;
        this.rules = rules;
        this.groups = new ArrayList<>(groups.values());
        this.now = now;
        this.states = new RuleOutcome[rules.size()];
    }

    Decision run() {
        boolean allPass = true;
        for (List<Integer> group : groups) {
            allPass &= call(group, RedisRateLimiter.MODE_CHECK) != null; // a denial may block (blockAfterDenial)
        }
        if (!allPass) {
            return decision();
        }
        List<long[]> taken = new ArrayList<>(groups.size());
        for (List<Integer> group : groups) {
            long[] times = call(group, RedisRateLimiter.MODE_TIMED);
            if (times == null) {
                refund(taken);
                for (List<Integer> other : groups) {
                    if (other != group) {
                        call(other, RedisRateLimiter.MODE_PEEK); // report each rule as it stands after the refund
                    }
                }
                return decision();
            }
            taken.add(times);
        }
        return decision();
    }

    /**
     * One script call for one group, filling its rules' states.
     *
     * @return null when the group denies; else the effective time of each rule's decision (mode timed) or an
     *         empty array (peek)
     */
    private long[] call(List<Integer> group, String mode) {
        List<String> keys = new ArrayList<>(group.size());
        List<String> args = new ArrayList<>(2 + 4 * group.size());
        List<RateLimitRule> groupRules = new ArrayList<>(group.size());
        args.add(limiter.clock(now));
        args.add(mode);
        for (int i : group) {
            RateLimitRule rule = rules.get(i);
            keys.add(limiter.hashTag(clients.get(i)) + RedisRateLimiter.counter(rule));
            RedisRateLimiter.addRule(args, rule);
            groupRules.add(rule);
        }
        List<?> reply = (List<?>) connection.script(RateLimitScript.of(groupRules), keys, args);
        boolean timed = mode.equals(RedisRateLimiter.MODE_TIMED);
        // modes peek and check reply as acquire does
        int width = timed ? 6 : 5;
        Decision d = ScriptReply.toDecision(reply, groupRules, width);
        List<RuleOutcome> limits = d.limits();
        for (int j = 0; j < group.size(); j++) {
            states[group.get(j)] = limits.get(j);
        }
        if (!d.allowed()) {
            return null;
        }
        long[] times = new long[timed ? group.size() : 0];
        for (int j = 0; j < times.length; j++) {
            times[j] = ScriptReply.asLong(reply.get(width * j + 5));
        }
        return times;
    }

    /** Gives back what the acquired groups took, one script call per group (each group is one slot). */
    private void refund(List<long[]> taken) {
        for (int g = 0; g < taken.size(); g++) {
            List<Integer> group = groups.get(g);
            long[] times = taken.get(g);
            List<String> keys = new ArrayList<>(group.size());
            List<String> args = new ArrayList<>(2 + 5 * group.size());
            args.add(limiter.clock(now));
            args.add("");
            for (int j = 0; j < group.size(); j++) {
                int i = group.get(j);
                RateLimitRule rule = rules.get(i);
                keys.add(limiter.hashTag(clients.get(i)) + RedisRateLimiter.counter(rule));
                RedisRateLimiter.addRule(args, rule);
                args.add(Long.toString(times[j]));
            }
            connection.script(RateLimitScript.REFUND, keys, args);
        }
    }

    private Decision decision() {
        return Decision.of(Store.REDIS, Arrays.asList(states));
    }
}
