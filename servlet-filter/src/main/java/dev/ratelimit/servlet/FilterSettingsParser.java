package dev.ratelimit.servlet;

import dev.ratelimit.internal.http.StatusCondition;
import static dev.ratelimit.servlet.FilterSettings.ALGORITHM;
import static dev.ratelimit.servlet.FilterSettings.COST;
import static dev.ratelimit.servlet.FilterSettings.COUNT_WHEN;
import static dev.ratelimit.servlet.FilterSettings.KEY;
import static dev.ratelimit.servlet.FilterSettings.KEY_HEADER;
import static dev.ratelimit.servlet.FilterSettings.KEY_RESOLVER;
import static dev.ratelimit.servlet.FilterSettings.REJECTION_HANDLER;
import static dev.ratelimit.servlet.FilterSettings.RULES_RESOLVER;
import static dev.ratelimit.servlet.FilterSettings.LIMIT;
import static dev.ratelimit.servlet.FilterSettings.NAME;
import static dev.ratelimit.servlet.FilterSettings.PER_FILTER_SETTINGS;
import static dev.ratelimit.servlet.FilterSettings.RULE_PARAMS;
import static dev.ratelimit.servlet.FilterSettings.WINDOW;
import static dev.ratelimit.servlet.FilterSettings.defaultName;
import static dev.ratelimit.servlet.FilterSettings.error;
import static dev.ratelimit.servlet.FilterSettings.invalid;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.internal.config.Values;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the init-params of one filter declaration into its {@link FilterSettings}, in one pass: sorts each parameter
 * (a rule parameter, plain or numbered; the key resolver; a per-filter setting), builds the rules with every value
 * checked by the core's {@link RateLimitRule} builder, and rejects anything else with a message naming the filter,
 * the parameter and its value.
 */
final class FilterSettingsParser {
    /** Unnumbered rule parameters that numbered limits inherit. */
    private static final Set<String> INHERITED = Set.of(ALGORITHM, KEY, KEY_HEADER, COST);
    private static final String SETTING_PREFIX = "ratelimit.";
    private static final Pattern NUMBERED = Pattern.compile("([A-Za-z]+)\\.([0-9]+)");
    private static final int MAX_NUMBER = 999;

    private final String filterName;
    private final Collection<String> names;
    private final Function<String, String> params;
    /** Unnumbered rule parameters, by name, with non-blank values. */
    private final Map<String, String> plain = new HashMap<>();
    /** Numbered rule parameters: number → (parameter → value). */
    private final TreeMap<Integer, Map<String, String>> numbered = new TreeMap<>();
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private String keyResolver;
    private String rejectionHandler;
    private String rulesResolver;
    private StatusCondition countWhen;

    FilterSettingsParser(String filterName, Collection<String> names, Function<String, String> params) {
        this.filterName = filterName;
        this.names = names;
        this.params = params;
    }

    FilterSettings parse() {
        for (String param : names) {
            classify(param);
        }
        List<RateLimitRule> rules = numbered.isEmpty() ? List.of(singleRule()) : numberedRules();
        checkUniqueNames(rules);
        checkKeySources(rules);
        return new FilterSettings(filterName, List.copyOf(rules), keyResolver, rejectionHandler, rulesResolver,
                Collections.unmodifiableMap(overrides), countWhen);
    }

    private void classify(String param) {
        String value = value(param);
        if (RULE_PARAMS.contains(param)) {
            if (value != null) {
                plain.put(param, value);
            }
            return;
        }
        Matcher m = NUMBERED.matcher(param);
        if (m.matches() && RULE_PARAMS.contains(m.group(1))) {
            if (!m.group(2).matches("[1-9][0-9]{0,2}")) {
                throw error(filterName, "init-param " + param + " has no valid number: limits are numbered from "
                        + "1 to " + MAX_NUMBER + ", without leading zeros (" + m.group(1) + ".1, " + m.group(1)
                        + ".2, …)");
            }
            int number = Integer.parseInt(m.group(2));
            Map<String, String> rule = numbered.computeIfAbsent(number, n -> new HashMap<>());
            if (value != null) {
                rule.put(m.group(1), value);
            }
            return;
        }
        if (param.equals(KEY_RESOLVER)) {
            keyResolver = value;
            return;
        }
        if (param.equals(REJECTION_HANDLER)) {
            rejectionHandler = value;
            return;
        }
        if (param.equals(RULES_RESOLVER)) {
            rulesResolver = value;
            return;
        }
        if (param.equals(COUNT_WHEN)) {
            try {
                countWhen = StatusCondition.parse(value);
            } catch (IllegalArgumentException e) {
                throw error(filterName, "init-param " + COUNT_WHEN + ": " + e.getMessage());
            }
            return;
        }
        if (PER_FILTER_SETTINGS.contains(param)) {
            if (value != null) {
                overrides.put(param, value);
            }
            return;
        }
        if (param.startsWith(SETTING_PREFIX)) {
            // the value is not shown: this may be a Redis URL with a password
            throw error(filterName, "init-param " + param + " is not a setting a filter may override; those are "
                    + String.join(", ", PER_FILTER_SETTINGS) + ". Every other ratelimit.* setting configures the "
                    + "limiter that all rate-limit filters of a web application share: set it as a context-param, "
                    + "system property or environment variable");
        }
        throw error(filterName, "unknown init-param '" + param + "'; a limit is set with "
                + String.join(", ", RULE_PARAMS) + " (numbered as limit.1, window.1, … for several limits), "
                + "plus " + KEY_RESOLVER + ", " + REJECTION_HANDLER + ", " + RULES_RESOLVER + ", " + COUNT_WHEN
                + " and the per-filter settings "
                + String.join(", ", PER_FILTER_SETTINGS));
    }

    /** The value of an init-param, trimmed; null when blank (blank counts as unset, as for every setting). */
    private String value(String param) {
        return Values.unlessBlank(params.apply(param));
    }

    private RateLimitRule singleRule() {
        if (!plain.containsKey(LIMIT) && !plain.containsKey(WINDOW)) {
            throw error(filterName, "no limit is set; give the init-params limit and window (e.g. 100 and 1m), "
                    + "or limit.1, window.1, limit.2, window.2, … for several limits");
        }
        return rule("", plain, Map.of(), defaultName(filterName, ""));
    }

    private List<RateLimitRule> numberedRules() {
        for (String p : List.of(LIMIT, WINDOW, NAME)) {
            if (plain.containsKey(p)) {
                throw error(filterName, "init-param " + p + " cannot be combined with numbered limits ("
                        + p + "." + numbered.firstKey() + ", …): number every limit");
            }
        }
        List<RateLimitRule> rules = new ArrayList<>(numbered.size());
        for (Map.Entry<Integer, Map<String, String>> e : numbered.entrySet()) {
            String suffix = "." + e.getKey();
            rules.add(rule(suffix, e.getValue(), plain, defaultName(filterName, suffix)));
        }
        return rules;
    }

    /**
     * Builds one rule, checking each value on its own first so that a failure names its parameter.
     *
     * @param suffix    {@code ""} or {@code .N}
     * @param own       the rule's own parameters (unsuffixed names)
     * @param inherited the unnumbered parameters a numbered rule falls back to
     */
    private RateLimitRule rule(String suffix, Map<String, String> own, Map<String, String> inherited,
            String defaultName) {
        Source source = new Source(suffix, own, inherited);
        if (source.get(LIMIT) == null) {
            throw error(filterName, "init-param " + LIMIT + suffix + " is missing: set the number of requests "
                    + "allowed per window, e.g. 100");
        }
        if (source.get(WINDOW) == null) {
            throw error(filterName, "init-param " + WINDOW + suffix + " is missing: set the window of "
                    + LIMIT + suffix + ", e.g. 1m");
        }
        RateLimitRule.Builder rule = RateLimitRule.custom();

        long limit = whole(source, LIMIT);
        check(source, LIMIT, b -> b.limit(limit));
        rule.limit(limit);

        String window = source.get(WINDOW);
        check(source, WINDOW, b -> b.window(window));
        rule.window(window);

        String name = source.get(NAME) == null ? defaultName : source.get(NAME);
        if (source.get(NAME) != null) {
            check(source, NAME, b -> b.name(name));
        }
        rule.name(name);

        Algorithm algorithm = source.get(ALGORITHM) == null ? Algorithm.TOKEN_BUCKET
                : enumValue(source, ALGORITHM, Algorithm.class);
        check(source, LIMIT, b -> b.limit(limit).algorithm(algorithm)); // the sliding log takes smaller limits
        rule.algorithm(algorithm);

        KeySource key = source.get(KEY) == null ? KeySource.PRINCIPAL_OR_IP
                : enumValue(source, KEY, KeySource.class);
        rule.key(key);

        // an unnumbered keyHeader reaches only the numbered limits keyed by a header
        String keyHeader = source.own(KEY_HEADER) != null || key == KeySource.HEADER
                ? source.get(KEY_HEADER) : null;
        if (keyHeader != null) {
            check(source, KEY_HEADER, b -> b.key(KeySource.HEADER).keyHeader(keyHeader));
            rule.keyHeader(keyHeader);
        }

        if (source.get(COST) != null) {
            long cost = whole(source, COST);
            if (cost > Integer.MAX_VALUE) {
                throw invalid(filterName, source.param(COST), source.get(COST),
                        "cost must be at most " + Integer.MAX_VALUE);
            }
            check(source, COST, b -> b.limit(limit).cost((int) cost)); // at most the limit
            rule.cost((int) cost);
        }

        try {
            return rule.build();
        } catch (IllegalArgumentException e) {
            // every value is valid on its own: the key and keyHeader do not fit together
            String param = key == KeySource.HEADER ? KEY : KEY_HEADER;
            String value = source.get(param) == null ? "" : source.get(param);
            throw invalid(filterName, source.param(param), value, e.getMessage());
        }
    }

    /** Runs the core's validation of one value on a rule that is valid apart from it. */
    private void check(Source source, String param, Consumer<RateLimitRule.Builder> set) {
        RateLimitRule.Builder probe = RateLimitRule.custom().name("probe").limit(RateLimitRule.MAX_LIMIT)
                .window("1s");
        try {
            set.accept(probe);
            probe.build();
        } catch (IllegalArgumentException e) {
            throw invalid(filterName, source.param(param), source.get(param), e.getMessage());
        }
    }

    private long whole(Source source, String param) {
        return Values.whole(source.get(param), why -> invalid(filterName, source.param(param), source.get(param),
                param + " " + why));
    }

    private <E extends Enum<E>> E enumValue(Source source, String param, Class<E> type) {
        return Values.oneOf(source.get(param), type, why -> invalid(filterName, source.param(param),
                source.get(param), param + " " + why));
    }

    /**
     * Same name, algorithm, limit and window means one shared counter: two such limits in one filter would
     * collide. (The same name with another limit or window is another counter.) At most
     * {@value ClientKeys#MAX_RULES} limits per filter.
     */
    private void checkUniqueNames(List<RateLimitRule> rules) {
        if (numbered.isEmpty()) {
            return; // a single limit
        }
        try {
            ClientKeys.checkRules(rules);
        } catch (IllegalArgumentException e) {
            throw error(filterName, "the numbered limits (" + NAME + ".1, " + NAME + ".2, …) are invalid: "
                    + e.getMessage() + "; give each limit its own name, at most " + ClientKeys.MAX_RULES
                    + " limits");
        }
    }

    /**
     * A CUSTOM key needs a resolver; a resolver without a CUSTOM key is a mistake, like a stray keyHeader, unless a
     * rules resolver may add CUSTOM rules.
     */
    private void checkKeySources(List<RateLimitRule> rules) {
        boolean custom = rules.stream().anyMatch(r -> r.keySource() == KeySource.CUSTOM);
        boolean header = rules.stream().anyMatch(r -> r.keySource() == KeySource.HEADER);
        if (custom && keyResolver == null) {
            throw error(filterName, "key CUSTOM needs the init-param " + KEY_RESOLVER
                    + " naming a class that implements " + KeyResolver.class.getName());
        }
        if (!custom && keyResolver != null && rulesResolver == null) {
            throw invalid(filterName, KEY_RESOLVER, keyResolver, KEY_RESOLVER + " is only used with key CUSTOM (or "
                    + "for the CUSTOM rules a " + RULES_RESOLVER + " returns)");
        }
        if (!header && plain.containsKey(KEY_HEADER)) {
            throw invalid(filterName, KEY_HEADER, plain.get(KEY_HEADER),
                    "keyHeader is only used with key HEADER, and no limit of this filter has it");
        }
    }

    /** The parameters of one rule: its own, else the inherited unnumbered ones. */
    private static final class Source {
        final String suffix;
        final Map<String, String> own;
        final Map<String, String> inherited;

        Source(String suffix, Map<String, String> own, Map<String, String> inherited) {
            this.suffix = suffix;
            this.own = own;
            this.inherited = inherited;
        }

        String own(String param) {
            return own.get(param);
        }

        String get(String param) {
            String v = own.get(param);
            return v != null || !INHERITED.contains(param) ? v : inherited.get(param);
        }

        /** The init-param a value came from: {@code window.2}, or {@code key} when inherited. */
        String param(String param) {
            return own.containsKey(param) ? param + suffix : param + (inherited.containsKey(param) ? "" : suffix);
        }
    }
}
