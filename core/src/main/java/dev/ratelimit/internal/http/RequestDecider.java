package dev.ratelimit.internal.http;

import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.RequestView;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides an HTTP request under its rules and says how to answer it: the one piece of request-path logic both
 * bindings call, so the JAX-RS filter and the servlet filter resolve keys, count, and build the 429/503 response,
 * headers and problem body identically. A binding only wraps its request in a {@link RequestView} and applies the
 * returned {@link Verdict}.
 */
public final class RequestDecider {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDecider.class);

    private final RateLimiter limiter;
    private final RequestKeys keys;
    private final HeaderStyle headerStyle;
    private final boolean shadow;
    private final RateLimitMetrics metrics;
    private final PartitionKeys partitionKeys;

    /**
     * A request-path decider around {@code limiter}; thread-safe when the limiter is.
     *
     * @param limiter     the limiter deciding (Redis with fallback, or in memory)
     * @param keys        how keys are taken from requests (trusted proxies, IPv6 grouping)
     * @param headerStyle which rate-limit headers to send
     * @param shadow      dry run: decide and report, but never reject
     * @param metrics     where each decision is counted by limit, outcome and store
     */
    public RequestDecider(RateLimiter limiter, RequestKeys keys, HeaderStyle headerStyle, boolean shadow,
            RateLimitMetrics metrics) {
        this(limiter, keys, headerStyle, shadow, metrics, null);
    }

    /**
     * A request-path decider around {@code limiter}; thread-safe when the limiter is.
     *
     * @param limiter       the limiter deciding (Redis with fallback, or in memory)
     * @param keys          how keys are taken from requests (trusted proxies, IPv6 grouping)
     * @param headerStyle   which rate-limit headers to send
     * @param shadow        dry run: decide and report, but never reject
     * @param metrics       where each decision is counted by limit, outcome and store
     * @param partitionKeys how each rule's {@code pk} is made from its client key; null to send no {@code pk}
     */
    public RequestDecider(RateLimiter limiter, RequestKeys keys, HeaderStyle headerStyle, boolean shadow,
            RateLimitMetrics metrics, PartitionKeys partitionKeys) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.headerStyle = Objects.requireNonNull(headerStyle, "headerStyle");
        this.shadow = shadow;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.partitionKeys = partitionKeys;
    }

    /**
     * Decides a request in one limiter call: its rules are checked together and consumed only when all pass. Rules
     * whose keys coincide (the usual case) go to {@link RateLimiter#acquire(String, List)}; rules keyed differently
     * (e.g. one by IP, one by API key) to {@link RateLimiter#acquire(List)}, so a denial by one key's rule consumes
     * nothing from the others and one store decides the whole request.
     *
     * @param rules    the rules of the endpoint, pre-parsed at deployment
     * @param request  the request
     * @param resolver the resolver for {@code CUSTOM} keys, or null
     * @param path     the request path, reported as the problem's {@code instance}
     * @return how to answer: run the endpoint (with the headers) or reject with the given status and body
     */
    public Verdict check(List<RateLimitRule> rules, RequestView request, KeyResolver resolver, String path) {
        String[] ruleKeys = new String[rules.size()];
        Decision decision = decide(rules, request, resolver, ruleKeys);
        boolean reject = !decision.allowed() && !shadow;
        metrics.decision(decision, decision.allowed() ? RateLimitMetrics.Outcome.ALLOWED
                : shadow ? RateLimitMetrics.Outcome.SHADOW_DENIED : RateLimitMetrics.Outcome.DENIED);
        if (!decision.allowed() && shadow) {
            LOG.info("Shadow mode: {} {} would have been rejected by limit '{}' (retry in {} s)", path,
                    decision.store(), decision.reported().rule().name(), decision.retryAfterSeconds());
        }
        List<RateLimitHeaders.Header> headers = RateLimitHeaders.of(decision, headerStyle, reject,
                partitionKeys == null || decision.limits().size() != ruleKeys.length ? null : pk(ruleKeys));
        if (!reject) {
            return new Verdict(decision, false, 200, headers, null);
        }
        return new Verdict(decision, true, ProblemResponse.status(decision), headers,
                ProblemResponse.body(decision, path));
    }

    /** The {@code pk} of each rule, from the client key it counted against (hashed: never the key itself). */
    private List<String> pk(String[] ruleKeys) {
        List<String> values = new ArrayList<>(ruleKeys.length);
        for (int i = 0; i < ruleKeys.length; i++) {
            boolean same = i > 0 && ruleKeys[i].equals(ruleKeys[i - 1]);
            values.add(same ? values.get(i - 1) : partitionKeys.of(ruleKeys[i]));
        }
        return values;
    }

    /** Decides, filling {@code ruleKeys} with the client key of each rule. */
    private Decision decide(List<RateLimitRule> rules, RequestView request, KeyResolver resolver, String[] ruleKeys) {
        if (rules.size() == 1) {
            RateLimitRule rule = rules.get(0);
            ruleKeys[0] = keys.keyFor(rule, request, resolver);
            return limiter.acquire(ruleKeys[0], rule);
        }
        boolean oneKey = true;
        for (int i = 0; i < ruleKeys.length; i++) {
            ruleKeys[i] = keys.keyFor(rules.get(i), request, resolver);
            oneKey &= ruleKeys[i].equals(ruleKeys[0]);
        }
        if (oneKey) {
            return limiter.acquire(ruleKeys[0], rules);
        }
        // several keys: one call that checks every rule and consumes from all of them only when all pass, so a denial
        // by one key's rule takes nothing from the others, and one store decides the whole request
        List<KeyedRule> keyed = new ArrayList<>(ruleKeys.length);
        for (int i = 0; i < ruleKeys.length; i++) {
            keyed.add(new KeyedRule(ruleKeys[i], rules.get(i)));
        }
        return limiter.acquire(keyed);
    }

    /**
     * How to answer a request.
     *
     * @param decision the decision
     * @param reject   whether to answer now instead of running the endpoint (false in shadow mode)
     * @param status   the status when rejecting: 429, or 503 when the limiter is unavailable under a fail-closed
     *                 policy; 200 otherwise
     * @param headers  the rate-limit headers for the response, rejected or not
     * @param body     the {@code application/problem+json} body when rejecting; null otherwise
     */
    public record Verdict(Decision decision, boolean reject, int status, List<RateLimitHeaders.Header> headers,
                          String body) {
    }
}
