package dev.ratelimit.internal.http;

import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.Rejection;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.internal.ClientKeys;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import dev.ratelimit.core.RuleOutcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
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
    private final HeaderFormat headers;
    private final boolean shadow;
    private final RateLimitMetrics metrics;
    private final PartitionKeys partitionKeys;
    private final Exemptions exemptions;
    /** Whether any client is exempt: when not, the request path costs one test of this flag more. */
    private final boolean exempting;
    /** The run-time overrides: an endpoint's registered rules to those it counts under now; null for none. */
    private final UnaryOperator<List<RateLimitRule>> live;

    /**
     * A request-path decider around {@code limiter} without exemptions; thread-safe when the limiter is.
     *
     * @param limiter       the limiter deciding (Redis with fallback, or in memory)
     * @param keys          how keys are taken from requests (trusted proxies, IPv6 grouping)
     * @param headers       which rate-limit headers to send, and when
     * @param shadow        dry run: decide and report, but never reject
     * @param metrics       where each decision is counted by limit, outcome and store
     * @param partitionKeys how each rule's {@code pk} is made from its client key; null to send no {@code pk}
     */
    public RequestDecider(RateLimiter limiter, RequestKeys keys, HeaderFormat headers, boolean shadow,
            RateLimitMetrics metrics, PartitionKeys partitionKeys) {
        this(limiter, keys, headers, shadow, metrics, partitionKeys, Exemptions.none());
    }

    /**
     * A request-path decider around {@code limiter}; thread-safe when the limiter is.
     *
     * @param limiter       the limiter deciding (Redis with fallback, or in memory)
     * @param keys          how keys are taken from requests (trusted proxies, IPv6 grouping)
     * @param headers       which rate-limit headers to send, and when
     * @param shadow        dry run: decide and report, but never reject
     * @param metrics       where each decision is counted by limit, outcome and store
     * @param partitionKeys how each rule's {@code pk} is made from its client key; null to send no {@code pk}
     * @param exemptions    the clients let through without being counted (networks, principals, roles)
     */
    public RequestDecider(RateLimiter limiter, RequestKeys keys, HeaderFormat headers, boolean shadow,
            RateLimitMetrics metrics, PartitionKeys partitionKeys, Exemptions exemptions) {
        this(limiter, keys, headers, shadow, metrics, partitionKeys, exemptions, null);
    }

    /**
     * A request-path decider around {@code limiter} that maps each endpoint's rules through the run-time overrides;
     * thread-safe when the limiter is.
     *
     * @param limiter       the limiter deciding (Redis with fallback, or in memory)
     * @param keys          how keys are taken from requests (trusted proxies, IPv6 grouping)
     * @param headers       which rate-limit headers to send, and when
     * @param shadow        dry run: decide and report, but never reject
     * @param metrics       where each decision is counted by limit, outcome and store
     * @param partitionKeys how each rule's {@code pk} is made from its client key; null to send no {@code pk}
     * @param exemptions    the clients let through without being counted (networks, principals, roles)
     * @param live          an endpoint's rules to those it counts under now (the run-time overrides), or null
     */
    public RequestDecider(RateLimiter limiter, RequestKeys keys, HeaderFormat headers, boolean shadow,
            RateLimitMetrics metrics, PartitionKeys partitionKeys, Exemptions exemptions,
            UnaryOperator<List<RateLimitRule>> live) {
        this.live = live;
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.headers = Objects.requireNonNull(headers, "headers");
        this.shadow = shadow;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.partitionKeys = partitionKeys;
        this.exemptions = Objects.requireNonNull(exemptions, "exemptions");
        this.exempting = exemptions.any();
    }

    /**
     * Decides a request under its declared rules, without a rules resolver: see
     * {@link #check(List, RequestView, RulesResolver, KeyResolver, RejectionHandler, String)}.
     *
     * @param rules      the rules of the endpoint, pre-parsed at deployment
     * @param request    the request
     * @param resolver   the resolver for {@code CUSTOM} keys, or null
     * @param rejections the application's {@link RejectionHandler}, or null for the standard problem document
     * @param path       the request path, reported as the problem's {@code instance}
     * @return how to answer
     */
    public Verdict check(List<RateLimitRule> rules, RequestView request, KeyResolver resolver,
            RejectionHandler rejections, String path) {
        return check(rules, request, null, resolver, rejections, path);
    }

    /**
     * Decides a request in one limiter call: its rules are checked together and consumed only when all pass. Rules
     * whose keys coincide (the usual case) go to {@link RateLimiter#acquire(String, List)}; rules keyed differently
     * (e.g. one by IP, one by API key) to {@link RateLimiter#acquire(List)}, so a denial by one key's rule consumes
     * nothing from the others and one store decides the whole request.
     *
     * @param endpoint    the rules of the endpoint, pre-parsed at deployment (the run-time overrides, when there are
     *                    any, then give the rules it counts under now, the declared rules below)
     * @param request     the request
     * @param rules       the {@link RulesResolver} that chooses this request's rules from {@code declared} (after the
     *                    exemptions, before the keys), or null to use {@code declared}; when it fails, returns
     *                    null or invalid rules, {@code declared} is used and a WARN names it
     * @param keyResolver the resolver for {@code CUSTOM} keys, or null
     * @param rejections  the application's {@link RejectionHandler}, or null for the standard problem document
     * @param path        the request path, reported as the problem's {@code instance}
     * @return how to answer: run the endpoint (with the headers) or reject with the given status and body; for an
     *         exempt client ({@link Exemptions}, or no rules from the rules resolver) {@link Verdict#EXEMPT}, without
     *         asking the limiter
     */
    public Verdict check(List<RateLimitRule> endpoint, RequestView request, RulesResolver rules,
            KeyResolver keyResolver, RejectionHandler rejections, String path) {
        if (exempting && exemptions.exempts(request, keys)) {
            metrics.exempt(endpoint.get(0));
            return Verdict.EXEMPT;
        }
        List<RateLimitRule> declared = live == null ? endpoint : live.apply(endpoint);
        List<RateLimitRule> chosen = declared.isEmpty() || rules == null ? declared
                : resolved(rules, request, declared, path);
        if (chosen.isEmpty()) {
            metrics.exempt(endpoint.get(0));
            return Verdict.EXEMPT;
        }
        String[] ruleKeys = new String[chosen.size()];
        Decision decision = decide(chosen, request, keyResolver, ruleKeys);
        boolean reject = !decision.allowed() && !shadow;
        metrics.decision(decision, decision.allowed() ? RateLimitMetrics.Outcome.ALLOWED
                : shadow ? RateLimitMetrics.Outcome.SHADOW_DENIED : RateLimitMetrics.Outcome.DENIED);
        if (!decision.allowed() && shadow) {
            LOG.info("Shadow mode: {} {} would have been rejected by limit '{}' (retry in {} s)", path,
                    decision.store(), decision.reported().rule().name(), decision.retryAfterSeconds());
        }
        List<RateLimitHeaders.Header> headers = this.headers.of(decision, reject,
                partitionKeys == null || decision.limits().size() != ruleKeys.length ? null : pk(ruleKeys));
        List<String> counted = Arrays.asList(ruleKeys);
        if (!reject) {
            return new Verdict(decision, headers, null, counted);
        }
        Rejection standard = new Rejection(ProblemResponse.status(decision), ProblemResponse.contentType(),
                ProblemResponse.body(decision, path));
        return new Verdict(decision, headers, rejections == null ? standard
                : handled(rejections, decision, request, standard, path), counted);
    }

    /**
     * After the response: gives back the permits of each rule whose {@code countWhen} the response's status does not
     * meet (the request took them when it was checked, so a concurrent burst never ran more than the limit). Nothing
     * for an exempt, refused or shadow-denied request (nothing was taken). A store that fails to give them back is
     * logged, never thrown: the request stays counted.
     *
     * @param verdict   the request's verdict
     * @param countWhen each rule name's condition; a rule without one always counts
     * @param status    the response's status
     */
    public void completed(Verdict verdict, Map<String, StatusCondition> countWhen, int status) {
        if (verdict.exempt() || !verdict.decision().allowed() || countWhen.isEmpty()) {
            return;
        }
        List<RuleOutcome> limits = verdict.decision().limits();
        for (int i = 0; i < limits.size() && i < verdict.keys().size(); i++) {
            RateLimitRule rule = limits.get(i).rule();
            StatusCondition when = countWhen.get(rule.name());
            if (when == null || when.matches(status)) {
                continue;
            }
            try {
                limiter.refund(verdict.keys().get(i), rule, rule.cost());
                metrics.operation(rule, RateLimitMetrics.Operation.REFUND);
            } catch (RuntimeException e) {
                LOG.warn("Limit '{}': a response {} does not count (countWhen {}), but its permits could not be "
                        + "given back ({}); the request stays counted", rule.name(), status, when, e.toString());
            }
        }
    }

    /**
     * The rules a {@link RulesResolver} chooses for a request: what it returns when that is valid (an empty list
     * exempts), else {@code declared}, with a WARN naming the resolver.
     */
    static List<RateLimitRule> resolved(RulesResolver resolver, RequestView request, List<RateLimitRule> declared,
            String path) {
        List<RateLimitRule> chosen;
        try {
            chosen = resolver.resolve(request, declared);
        } catch (RuntimeException e) {
            LOG.warn("The rules resolver {} failed for {}; the declared rules {} are used instead",
                    resolver.getClass().getName(), path, declared, e);
            return declared;
        }
        if (chosen == declared) {
            return declared;
        }
        if (chosen == null) {
            LOG.warn("The rules resolver {} returned null for {}; the declared rules {} are used instead",
                    resolver.getClass().getName(), path, declared);
            return declared;
        }
        if (chosen.isEmpty() || resolver instanceof PlanRules) {
            return chosen; // the plan table checks each list it makes when it makes it (PlanRules#prepare)
        }
        try {
            for (RateLimitRule rule : chosen) {
                if (rule == null) {
                    throw new IllegalArgumentException("a rule is null");
                }
            }
            ClientKeys.checkRules(chosen);
        } catch (RuntimeException e) {
            LOG.warn("The rules resolver {} returned invalid rules for {} ({}); the declared rules {} are used "
                    + "instead", resolver.getClass().getName(), path, e.getMessage(), declared);
            return declared;
        }
        return chosen;
    }

    /** The application's response to a refusal; the standard one when its handler fails. */
    private static Rejection handled(RejectionHandler handler, Decision decision, RequestView request,
            Rejection standard, String path) {
        try {
            Rejection own = handler.reject(decision, request, standard);
            if (own != null) {
                return own;
            }
            LOG.warn("The rejection handler {} returned null for {}; the standard problem response is sent instead",
                    handler.getClass().getName(), path);
        } catch (RuntimeException e) {
            LOG.warn("The rejection handler {} failed for {}; the standard problem response is sent instead",
                    handler.getClass().getName(), path, e);
        }
        return standard;
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
     * @param decision  the decision; null for an exempt request, which was not decided
     * @param headers   the rate-limit headers for the response, rejected or not
     * @param rejection the response that refuses the request instead of running the endpoint (429, or 503 when the
     *                  limiter is unavailable under a fail-closed policy, unless the application's handler chose
     *                  another); null when the endpoint runs (always in shadow mode)
     * @param keys      the client key each rule of the decision counted against, in the decision's order
     */
    public record Verdict(Decision decision, List<RateLimitHeaders.Header> headers, Rejection rejection,
                          List<String> keys) {

        /** An exempt request's: run the endpoint, with no rate-limit header; nothing was counted. */
        public static final Verdict EXEMPT = new Verdict(null, List.of(), null, List.of());

        /** {@return whether the request is exempt: not counted, no headers} */
        public boolean exempt() {
            return decision == null;
        }

        /** {@return whether to answer with {@link #rejection()} instead of running the endpoint} */
        public boolean reject() {
            return rejection != null;
        }
    }
}
