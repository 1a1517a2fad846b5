package dev.ratelimit.internal.http;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.metrics.RateLimitMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint's operations, the same for the JAX-RS resource and the servlet: look at one client under a rule
 * ({@code GET}), reset it ({@code DELETE}), block it ({@code POST …/block?seconds=N}) or give permits back
 * ({@code POST …/refund?permits=N}), by the rule's name as clients see it in {@code RateLimit-Policy} and the client key
 * as it is counted ({@code ip:203.0.113.7}, {@code user:alice}, {@code header:…}). Only a caller in the configured
 * role may (no principal: 401; another role: 403); the rule is looked up among the rules the application enforces
 * now ({@link RuleOverrides#rules()}), never by scanning the store; the answer never holds a client key; every action
 * is logged with the caller, the rule and a hash of the key. Not API: the bindings' admin resource and servlet are.
 */
public final class AdminOperations {

    /** The most seconds a block may last (366 days, as a window). */
    static final long MAX_BLOCK_SECONDS = 366L * 24 * 3600;

    private static final Logger LOG = LoggerFactory.getLogger(AdminOperations.class);

    private final RateLimiter limiter;
    private final RuleOverrides rules;
    private final String role;
    private final RateLimitMetrics metrics;

    /**
     * The operations on one application's limiter.
     *
     * @param limiter the application's limiter
     * @param rules   the rules it enforces now, by endpoint
     * @param role    the role a caller must have
     * @param metrics where resets, blocks and refunds are counted
     */
    public AdminOperations(RateLimiter limiter, RuleOverrides rules, String role, RateLimitMetrics metrics) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.role = Objects.requireNonNull(role, "role");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * An answer.
     *
     * @param status      the HTTP status
     * @param contentType its content type, or null without a body
     * @param body        the body, or null
     */
    public record Answer(int status, String contentType, String body) {
    }

    /**
     * Performs one operation.
     *
     * @param caller    the request (its principal and roles)
     * @param operation {@code peek}, {@code reset}, {@code block} or {@code refund}
     * @param ruleName  the rule's name
     * @param key       the client key as counted
     * @param amount    seconds of a block, permits of a refund (their query parameter's text, may be null)
     * @param instance  the request's path, for problem bodies
     * @return the answer: 200 with the client's state (peek), 204, or a problem (401, 403, 400, 404)
     */
    public Answer perform(RequestView caller, String operation, String ruleName, String key, String amount,
            String instance) {
        String who = caller.principalName();
        if (who == null) {
            return problem(401, "Unauthorized", "Authentication is required.", instance);
        }
        if (!caller.isUserInRole(role)) {
            LOG.warn("Rate-limit admin: {} (not in the role '{}') was refused {} of limit '{}'", who, role, operation,
                    ruleName);
            return problem(403, "Forbidden", "The role '" + role + "' is required.", instance);
        }
        if (key == null || key.isEmpty()) {
            return problem(400, "Bad Request", "A client key is required.", instance);
        }
        List<RateLimitRule> found = find(ruleName);
        if (found.isEmpty()) {
            return problem(404, "Not Found", "No limit named " + quoted(ruleName) + " is enforced here.", instance);
        }
        String keyHash = HexFormat.of().formatHex(ClientKeys.sha256(key), 0, 8);
        switch (operation) {
            case "peek":
                return peek(found, key);
            case "reset":
                for (RateLimitRule rule : found) {
                    limiter.reset(key, rule);
                    metrics.operation(rule, RateLimitMetrics.Operation.RESET);
                }
                LOG.info("Rate-limit admin: {} reset limit '{}' for the client key sha256:{}", who, ruleName, keyHash);
                return new Answer(204, null, null);
            case "block": {
                long seconds = number(amount, MAX_BLOCK_SECONDS);
                if (seconds < 1) {
                    return problem(400, "Bad Request", "seconds must be a whole number from 1 to "
                            + MAX_BLOCK_SECONDS + ".", instance);
                }
                for (RateLimitRule rule : found) {
                    limiter.block(key, rule, Duration.ofSeconds(seconds));
                    metrics.operation(rule, RateLimitMetrics.Operation.BLOCK);
                }
                LOG.info("Rate-limit admin: {} blocked the client key sha256:{} on limit '{}' for {} s", who, keyHash,
                        ruleName, seconds);
                return new Answer(204, null, null);
            }
            case "refund": {
                long permits = number(amount, RateLimitRule.MAX_LIMIT);
                if (permits < 1) {
                    return problem(400, "Bad Request", "permits must be a whole number from 1 to "
                            + RateLimitRule.MAX_LIMIT + ".", instance);
                }
                for (RateLimitRule rule : found) {
                    limiter.refund(key, rule, permits);
                    metrics.operation(rule, RateLimitMetrics.Operation.REFUND);
                }
                LOG.info("Rate-limit admin: {} gave {} permit(s) of limit '{}' back to the client key sha256:{}", who,
                        permits, ruleName, keyHash);
                return new Answer(204, null, null);
            }
            default:
                return problem(404, "Not Found", "No such operation.", instance);
        }
    }

    /** {@code {"limit":…,"remaining":…,"reset":…,"retryAfter":…}}, seconds, of the most restrictive counter. */
    private Answer peek(List<RateLimitRule> found, String key) {
        Decision d = limiter.peek(key, found);
        RuleOutcome reported = d.reported();
        String json = "{\"limit\":" + reported.rule().limit() + ",\"remaining\":" + reported.remaining()
                + ",\"reset\":" + RateLimitHeaders.ceilSeconds(reported.resetMicros()) + ",\"retryAfter\":"
                + (d.allowed() ? 0 : d.retryAfterSeconds()) + "}";
        return new Answer(200, "application/json", json);
    }

    /** The rules of that name the application enforces now, one per counter (several endpoints may share one). */
    private List<RateLimitRule> find(String name) {
        Map<String, RateLimitRule> byCounter = new LinkedHashMap<>();
        for (List<RateLimitRule> list : rules.rules().values()) {
            for (RateLimitRule rule : list) {
                if (rule.name().equals(name)) {
                    byCounter.putIfAbsent(rule.algorithm() + " " + rule.counterLimit() + " "
                            + rule.counterWindowMicros(), rule);
                }
            }
        }
        return new ArrayList<>(byCounter.values());
    }

    private static long number(String text, long max) {
        if (text == null || !text.strip().matches("\\d{1,12}")) {
            return -1;
        }
        long n = Long.parseLong(text.strip());
        return n > max ? -1 : n;
    }

    private static String quoted(String name) {
        String shown = name == null ? "" : name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    private static Answer problem(int status, String title, String detail, String instance) {
        StringBuilder json = new StringBuilder("{\"type\":\"about:blank\",\"title\":");
        ProblemResponse.string(json, title);
        json.append(",\"status\":").append(status).append(",\"detail\":");
        ProblemResponse.string(json, detail);
        if (instance != null) {
            json.append(",\"instance\":");
            ProblemResponse.string(json, instance);
        }
        return new Answer(status, ProblemResponse.contentType(), json.append('}').toString());
    }
}
