package dev.ratelimit.internal.config;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.internal.ClientKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The overrides by rule name, {@code ratelimit.rules.<name>.limit}, {@code .window}, {@code .algorithm}, {@code .cost}
 * and {@code .enabled}, from every source of the settings: applied by both bindings to each declared rule list when
 * they deploy (the startup listing then shows the effective rules), each value checked by the core's rule builder with
 * an error that names the setting. Not API; see {@code docs/plans.md}.
 */
public final class SettingsOverrides {

    static final String PREFIX = "ratelimit.rules.";
    private static final String[] FIELDS = {"limit", "window", "algorithm", "cost", "enabled"};

    private final Function<String, Setting> in;
    /** Each rule name's environment variable prefix, to catch two names that read the same variables. */
    private final Map<String, String> names = new ConcurrentHashMap<>();

    SettingsOverrides(Function<String, Setting> in) {
        this.in = in;
    }

    /**
     * The rules as overridden: each declared rule with the values set for its name; a rule whose {@code enabled} is
     * false is left out (all left out: no limit applies).
     *
     * @param declared the rules as declared (annotations, init-params)
     * @return {@code declared} itself when nothing is set for its names; else the effective rules, in order
     * @throws IllegalArgumentException naming the setting, its value and source, when a value is invalid, when the
     *                                  overridden rules would count on one counter twice, or when an environment
     *                                  variable would read as the setting of two rule names
     */
    public List<RateLimitRule> apply(List<RateLimitRule> declared) {
        List<RateLimitRule> effective = new ArrayList<>(declared.size());
        boolean changed = false;
        for (RateLimitRule rule : declared) {
            checkUnambiguous(rule.name());
            RateLimitRule own = PlanSettings.of(in, PREFIX, rule, true);
            changed |= own != rule;
            if (own != null) {
                effective.add(own);
            }
        }
        if (!changed) {
            return declared;
        }
        if (!effective.isEmpty()) {
            try {
                ClientKeys.checkRules(effective);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + PREFIX + "* settings make " + declared + " invalid: "
                        + e.getMessage());
            }
        }
        return List.copyOf(effective);
    }

    /**
     * Rule names differing only in {@code -}, {@code _} or {@code .} read the same environment variables
     * ({@code fixed-window} and {@code fixed_window}: {@code RATELIMIT_RULES_FIXED_WINDOW_LIMIT}); when such a variable
     * is set, it cannot say which rule it means.
     */
    private void checkUnambiguous(String name) {
        String env = Setting.environmentName(PREFIX + name + ".");
        String other = names.putIfAbsent(env, name);
        if (other == null || other.equals(name)) {
            return;
        }
        for (String field : FIELDS) {
            Setting s = in.apply(PREFIX + name + "." + field);
            if (s != null && s.source().startsWith("environment variable")) {
                throw s.invalid("is ambiguous: the environment variable reads as a setting of the rule '" + other
                        + "' and of the rule '" + name + "'; set it as a system property or context-param, or "
                        + "rename one rule");
            }
        }
    }
}
