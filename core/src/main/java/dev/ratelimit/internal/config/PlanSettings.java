package dev.ratelimit.internal.config;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.internal.HttpTokens;
import dev.ratelimit.internal.http.PlanRules;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The plan table, {@code ratelimit.plans.*}: the plans and how a request's plan is found are read and checked when
 * the settings load; each plan's values for a rule ({@code ratelimit.plans.<plan>.rules.<rule>.limit}, {@code .window},
 * {@code .algorithm}, {@code .cost}, {@code .enabled}) are read by the rule's name when a binding prepares a declared
 * rule list (at deployment), each checked by the core's rule builder with an error naming the setting. See
 * {@code docs/plans.md}.
 */
final class PlanSettings {

    static final String PREFIX = "ratelimit.plans.";
    static final String NAMES = "ratelimit.plans.names";
    static final String HEADER = "ratelimit.plans.header";
    static final String DEFAULT = "ratelimit.plans.default";

    /** Plan names: letters, digits, {@code -} and {@code _}, so that a plan's setting names read unambiguously. */
    private static final Pattern PLAN_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> RESERVED = Set.of("names", "header", "default");

    /** The plan table; null when {@code ratelimit.plans.names} is not set. */
    private final PlanRules rules;

    PlanSettings(Function<String, Setting> in) {
        Setting names = in.apply(NAMES);
        Setting header = in.apply(HEADER);
        Setting defaultPlan = in.apply(DEFAULT);
        if (names == null) {
            if (header != null) {
                throw header.invalid("needs " + NAMES + ": no plan is configured");
            }
            if (defaultPlan != null) {
                throw defaultPlan.invalid("needs " + NAMES + ": no plan is configured");
            }
            this.rules = null;
            return;
        }
        Set<String> planNames = new LinkedHashSet<>();
        for (String name : Values.names(names.text())) {
            if (!PLAN_NAME.matcher(name).matches() || RESERVED.contains(name)) {
                throw names.invalid("is invalid: plan name '" + name + "' must be 1 to 64 letters, digits, '-' or '_', "
                        + "and not one of " + String.join(", ", RESERVED.stream().sorted().toList()));
            }
            if (!planNames.add(name)) {
                throw names.invalid("is invalid: plan '" + name + "' is listed twice");
            }
        }
        if (planNames.isEmpty()) {
            throw names.invalid("is invalid: it lists no plan");
        }
        List<PlanRules.Plan> plans = new ArrayList<>();
        for (String name : planNames) {
            Setting role = in.apply(PREFIX + name + ".role");
            if (role != null && (role.text().equals("*") || role.text().equals("**"))) {
                throw role.invalid("is invalid: '" + role.text() + "' is not a role name (wildcards are not "
                        + "supported)");
            }
            plans.add(new PlanRules.Plan(name, role == null ? null : role.text()));
        }
        String headerName = null;
        if (header != null) {
            if (!HttpTokens.isToken(header.text())) {
                throw header.invalid("is invalid: it must be an HTTP header name");
            }
            headerName = header.text();
        }
        int defaultIndex = -1;
        if (defaultPlan != null) {
            defaultIndex = List.copyOf(planNames).indexOf(defaultPlan.text());
            if (defaultIndex < 0) {
                throw defaultPlan.invalid("is invalid: it must be one of the plans of " + NAMES + " ("
                        + String.join(", ", planNames) + ")");
            }
        }
        this.rules = new PlanRules(plans, headerName, defaultIndex, (plan, declared) -> of(in, PREFIX + plan + ".rules.", declared));
    }

    /** {@return the plan table; null when no plan is configured} */
    PlanRules rules() {
        return rules;
    }

    /**
     * A declared rule with the values set for its name under {@code rulesPrefix} (a plan's, or the overrides of
     * {@code ratelimit.rules.}), applied together and checked by the rule builder; when they
     * make no valid rule, the error names the first setting that, applied in turn, makes it invalid.
     *
     * A plan's limit, window or algorithm makes a counter of its own (a plan is another quota); a plan's cost alone
     * keeps the declared rule's counter.
     *
     * @return {@code declared} when the plan sets nothing for its name; null when {@code enabled} is false
     */
    static RateLimitRule of(Function<String, Setting> in, String rulesPrefix, RateLimitRule declared) {
        return of(in, rulesPrefix, declared, false);
    }

    /**
     * As {@link #of(Function, String, RateLimitRule)}; with {@code sameCounter} (an operator's override of the
     * declared rule), the rule keeps counting on the declared rule's counter whatever its new limit or window (see
     * {@link RateLimitRule.Builder#sameCounterAs}).
     */
    static RateLimitRule of(Function<String, Setting> in, String rulesPrefix, RateLimitRule declared,
            boolean sameCounter) {
        String prefix = rulesPrefix + declared.name() + ".";
        Setting enabled = in.apply(prefix + "enabled");
        Setting limit = in.apply(prefix + "limit");
        Setting window = in.apply(prefix + "window");
        Setting algorithm = in.apply(prefix + "algorithm");
        Setting cost = in.apply(prefix + "cost");
        boolean on = enabled == null || Values.bool(enabled.text(), enabled.errors());
        if (limit == null && window == null && algorithm == null && cost == null) {
            return on ? declared : null;
        }
        RateLimitRule.Builder b = declared.toBuilder();
        Algorithm a = algorithm == null ? null : Values.oneOf(algorithm.text(), Algorithm.class, algorithm.errors());
        Long l = limit == null ? null : Values.whole(limit.text(), limit.errors());
        Integer c = cost == null ? null : Values.integer(cost.text(), cost.errors());
        if (window != null) {
            try {
                RateLimitRule.custom().window(window.text());
            } catch (IllegalArgumentException e) {
                throw window.invalid("is invalid: " + e.getMessage());
            }
        }
        set(b, a, l, window, c);
        b.sameCounterAs(sameCounter || (a == null && l == null && window == null) ? declared : null);
        RateLimitRule own;
        try {
            own = b.build();
        } catch (IllegalArgumentException e) {
            // the values together make no valid rule: name the first that, applied in this order, makes it invalid
            RateLimitRule.Builder step = declared.toBuilder();
            build(algorithm, set(step, a, null, null, null));
            build(limit, set(step, null, l, null, null));
            build(window, set(step, null, null, window, null));
            build(cost, set(step, null, null, null, c));
            throw e;
        }
        // checked even when the plan drops the rule, so that a value is never wrong unnoticed
        return !on ? null : own.equals(declared) ? declared : own;
    }

    private static RateLimitRule.Builder set(RateLimitRule.Builder b, Algorithm algorithm, Long limit,
            Setting window, Integer cost) {
        if (algorithm != null) {
            b.algorithm(algorithm);
        }
        if (limit != null) {
            b.limit(limit);
        }
        if (window != null) {
            b.window(window.text());
        }
        if (cost != null) {
            b.cost(cost);
        }
        return b;
    }

    /** Builds, when {@code setting} is set, reporting a refusal as that setting's. */
    private static void build(Setting setting, RateLimitRule.Builder b) {
        if (setting == null) {
            return;
        }
        try {
            b.build();
        } catch (IllegalArgumentException e) {
            throw setting.invalid("is invalid: " + e.getMessage());
        }
    }

    /** For the startup log: {@code , plans=[pro (role pro)], …}, or nothing without plans. */
    @Override
    public String toString() {
        return rules == null ? "" : ", plans=" + rules;
    }
}
