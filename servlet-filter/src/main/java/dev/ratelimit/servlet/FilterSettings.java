package dev.ratelimit.servlet;

import dev.ratelimit.internal.http.StatusCondition;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.internal.Durations;
import dev.ratelimit.internal.RuleNames;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What one filter declaration says in its {@code init-param}s, parsed and checked once at {@code init}: its rules,
 * its {@code CUSTOM} key resolver, its rejection handler and rules resolver, and its overrides of the per-filter settings.
 *
 * <p>Rule parameters carry the names of the {@code @RateLimited} attributes: {@code limit}, {@code window},
 * {@code algorithm}, {@code key}, {@code keyHeader}, {@code name}, {@code cost}. One limit is written with them as
 * they are; several limits number them ({@code limit.1}, {@code window.1}, {@code limit.2}, …), and an unnumbered
 * {@code algorithm}, {@code key}, {@code keyHeader} or {@code cost} then applies to every numbered limit that does not
 * set its own. Every value is validated by the core's {@link RateLimitRule} builder; a failure names the filter, the
 * parameter and its value.
 */
final class FilterSettings {

    static final String LIMIT = "limit";
    static final String WINDOW = "window";
    static final String ALGORITHM = "algorithm";
    static final String KEY = "key";
    static final String KEY_HEADER = "keyHeader";
    static final String NAME = "name";
    static final String COST = "cost";
    /** The class name of a {@link KeyResolver} for {@code key=CUSTOM} rules. */
    static final String KEY_RESOLVER = "keyResolver";
    /** The class name of a {@link RejectionHandler} that answers this filter's refusals. */
    static final String REJECTION_HANDLER = "rejectionHandler";
    /** The class name of a {@link RulesResolver} that chooses each request's rules from this filter's. */
    static final String RULES_RESOLVER = "rulesResolver";
    /** The responses that count under the filter's rules ({@code 4xx}, {@code 401, 403}); all when unset. */
    static final String COUNT_WHEN = "countWhen";

    /** The rule parameters, in the order they are reported. */
    static final List<String> RULE_PARAMS = List.of(LIMIT, WINDOW, ALGORITHM, KEY, KEY_HEADER, NAME, COST);

    /**
     * The global settings a filter may set for itself as {@code init-param}s: they shape how this filter keys and
     * answers requests. The others (Redis, fallback, breaker, memory) configure the one limiter every filter of the
     * web application shares, so they are context-wide only.
     */
    static final List<String> PER_FILTER_SETTINGS = List.of("ratelimit.headers", "ratelimit.headers.draft",
            "ratelimit.headers.legacy-prefix", "ratelimit.headers.threshold", "ratelimit.shadow",
            "ratelimit.trusted-proxies", "ratelimit.ipv6-prefix-length", "ratelimit.count-options",
            "ratelimit.exempt.networks", "ratelimit.exempt.principals", "ratelimit.exempt.roles");

    private static final int MAX_SHOWN_VALUE = 100;

    private final String filterName;
    private final List<RateLimitRule> rules;
    private final String keyResolverClass;
    private final String rejectionHandlerClass;
    private final String rulesResolverClass;
    private final Map<String, String> overrides;
    private final StatusCondition countWhen;

    FilterSettings(String filterName, List<RateLimitRule> rules, String keyResolverClass,
            String rejectionHandlerClass, String rulesResolverClass, Map<String, String> overrides,
            StatusCondition countWhen) {
        this.filterName = filterName;
        this.countWhen = countWhen;
        this.rules = rules;
        this.keyResolverClass = keyResolverClass;
        this.rejectionHandlerClass = rejectionHandlerClass;
        this.rulesResolverClass = rulesResolverClass;
        this.overrides = overrides;
    }

    /**
     * Parses a filter's init-params.
     *
     * @param filterName the filter's name, for messages and as the default rule name
     * @param names      the names of its init-params
     * @param params     its init-params by name
     * @throws IllegalArgumentException naming the filter, the parameter and its value
     */
    static FilterSettings parse(String filterName, Collection<String> names, Function<String, String> params) {
        return new FilterSettingsParser(filterName, names, params).parse();
    }

    /** The rules, in the order written (numbered limits by number). */
    List<RateLimitRule> rules() {
        return rules;
    }

    /** The {@link KeyResolver} class named by {@code keyResolver}, or null. */
    String keyResolverClass() {
        return keyResolverClass;
    }

    /** The responses that count under the filter's rules ({@code countWhen}), or null when all do. */
    StatusCondition countWhen() {
        return countWhen;
    }

    /** The per-filter settings this filter sets, by setting name (non-blank values only). */
    Map<String, String> overrides() {
        return overrides;
    }

    /**
     * Instantiates the {@code keyResolver} class with its public no-argument constructor, through the web
     * application's class loader.
     *
     * @return the resolver, or null when none is configured
     * @throws IllegalArgumentException naming the filter, the parameter and the class
     */
    KeyResolver newKeyResolver(ClassLoader loader) {
        return newInstance(KEY_RESOLVER, keyResolverClass, KeyResolver.class, loader);
    }

    /**
     * Instantiates the {@code rejectionHandler} class like {@link #newKeyResolver(ClassLoader)}.
     *
     * @return the handler, or null when none is configured
     * @throws IllegalArgumentException naming the filter, the parameter and the class
     */
    RejectionHandler newRejectionHandler(ClassLoader loader) {
        return newInstance(REJECTION_HANDLER, rejectionHandlerClass, RejectionHandler.class, loader);
    }

    /**
     * Instantiates the {@code rulesResolver} class like {@link #newKeyResolver(ClassLoader)}.
     *
     * @return the resolver, or null when none is configured (the plan table of the settings, if any, is used)
     * @throws IllegalArgumentException naming the filter, the parameter and the class
     */
    RulesResolver newRulesResolver(ClassLoader loader) {
        return newInstance(RULES_RESOLVER, rulesResolverClass, RulesResolver.class, loader);
    }

    private <T> T newInstance(String param, String className, Class<T> type, ClassLoader loader) {
        if (className == null) {
            return null;
        }
        Class<?> found;
        try {
            found = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw invalid(filterName, param, className, "the class cannot be loaded: " + e);
        }
        if (!type.isAssignableFrom(found)) {
            throw invalid(filterName, param, className, "the class does not implement " + type.getName());
        }
        try {
            return found.asSubclass(type).getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e.getCause() != null && e instanceof java.lang.reflect.InvocationTargetException
                    ? e.getCause() : e;
            throw invalid(filterName, param, className,
                    "the class needs a public no-argument constructor that succeeds: " + cause);
        }
    }

    /** The rule name of a filter: its name (see {@link RuleNames#of(String)}), followed by {@code suffix}. */
    static String defaultName(String filterName, String suffix) {
        String source = filterName == null || filterName.isBlank() ? "RateLimitFilter" : filterName.strip();
        return RuleNames.of(source + suffix);
    }

    static IllegalArgumentException invalid(String filterName, String param, String value, String why) {
        return error(filterName, "init-param " + param + "='" + shown(value) + "' is invalid: " + why);
    }

    static IllegalArgumentException error(String filterName, String message) {
        return new IllegalArgumentException("Rate-limit filter '" + filterName + "': " + message);
    }

    private static String shown(String value) {
        return value.length() <= MAX_SHOWN_VALUE ? value : value.substring(0, MAX_SHOWN_VALUE) + "…";
    }

    /** For the startup log: {@code "search" 100 per 1m (TOKEN_BUCKET, key PRINCIPAL_OR_IP), …}. */
    @Override
    public String toString() {
        return rules.stream().map(FilterSettings::describe).collect(Collectors.joining(", "))
                + (keyResolverClass == null ? "" : "; key resolver " + keyResolverClass)
                + (rejectionHandlerClass == null ? "" : "; rejection handler " + rejectionHandlerClass)
                + (rulesResolverClass == null ? "" : "; rules resolver " + rulesResolverClass);
    }

    private static String describe(RateLimitRule r) {
        return "\"" + r.name() + "\" " + r.limit() + " per " + Durations.format(r.window()) + " (" + r.algorithm()
                + ", key " + r.keySource() + (r.keyHeader().isEmpty() ? "" : " " + r.keyHeader())
                + (r.cost() == 1 ? "" : ", cost " + r.cost()) + ")";
    }
}
