package dev.ratelimit.jaxrs;

import dev.ratelimit.internal.RuleNames;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimited;
import dev.ratelimit.internal.http.StatusCondition;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The parsed limits of each resource method of one application, read once ({@link LimitDeclarations}) and cached:
 * the model processor reads them at deployment (validating and listing them), the dynamic feature and the filter for
 * Jersey's automatic OPTIONS answers find them here.
 */
final class ResourceLimits {

    /**
     * What applies to one resource method.
     *
     * @param method      the method as its resource class has it, e.g. {@code com.acme.Api#search(String)}
     * @param rules       the rules; empty when unlimited or exempt
     * @param declaration where the rules, or the exemption, were declared
     * @param countWhen   the responses that count, by rule name ({@code @RateLimited(countWhen = …)}); empty when
     *                    every response counts
     */
    record Limits(String method, List<RateLimitRule> rules, LimitDeclarations.Declaration declaration,
                  Map<String, StatusCondition> countWhen) {

        Limits(String method, List<RateLimitRule> rules, LimitDeclarations.Declaration declaration) {
            this(method, rules, declaration, Map.of());
        }

        boolean limited() {
            return !rules.isEmpty();
        }

        /** {@return whether a {@code @RateLimitExempt} applies: no filter, like unlimited, but on purpose} */
        boolean exempt() {
            return declaration.exempt();
        }

        /**
         * The rules for the startup listing, e.g. {@code search[10 per PT1S, …] (from class com.acme.Base)},
         * {@code EXEMPT (from com.acme.Api#health())} or {@code UNLIMITED}.
         *
         * @param current the rules the method counts under now, from its rules (the rules file's overrides)
         */
        String describe(UnaryOperator<List<RateLimitRule>> current) {
            if (rules.isEmpty()) {
                return !exempt() ? "UNLIMITED" : declaration.declaredOn().equals(method) ? "EXEMPT"
                        : "EXEMPT (from " + declaration.declaredOn() + ")";
            }
            List<RateLimitRule> now = current.apply(rules);
            String list = now.isEmpty() ? "NOT LIMITED NOW (every rule disabled by the rules file)"
                    : now.stream().map(RateLimitRule::toString).collect(Collectors.joining(", "));
            return declaration.declaredOn().equals(method) ? list : list + " (from " + declaration.declaredOn() + ")";
        }
    }

    private record Key(Class<?> resourceClass, Method method) {
    }

    private final ConcurrentMap<Key, Limits> methods = new ConcurrentHashMap<>();
    /** The overrides by rule name from the settings, applied to each method's declared rules. */
    private final UnaryOperator<List<RateLimitRule>> overrides;
    private final ConcurrentMap<Class<?>, Limits> automaticOptions = new ConcurrentHashMap<>();

    /**
     * The limits of a resource method, parsed at the first call.
     *
     * @param resourceClass the class handling the request
     * @param method        the Java method Jersey invokes
     * @return the limits, possibly none
     * @throws IllegalArgumentException naming the method, where the annotation is, and the invalid value
     */
    Limits of(Class<?> resourceClass, Method method) {
        Key key = new Key(resourceClass, method);
        Limits limits = methods.get(key);
        if (limits == null) {
            limits = parse(resourceClass, method);
            Limits raced = methods.putIfAbsent(key, limits);
            limits = raced == null ? limits : raced;
        }
        return limits;
    }

    /**
     * The limits of Jersey's automatic OPTIONS answers for a resource class's paths: its class-level limits (class,
     * superclasses, interface types), as for a method with no {@code @RateLimited} of its own, counted under one
     * default name per class, {@code com.acme.Api#OPTIONS}; none when the class-level declaration is a
     * {@code @RateLimitExempt}.
     *
     * @param resourceClass the resource class whose path is asked about
     * @return the limits, possibly none
     */
    Limits automaticOptions(Class<?> resourceClass) {
        Limits limits = automaticOptions.get(resourceClass);
        if (limits == null) {
            String target = resourceClass.getName() + "#OPTIONS";
            LimitDeclarations.Declaration declaration = LimitDeclarations.onClass(resourceClass);
            limits = new Limits(target, declaration.isEmpty() || declaration.exempt() ? List.of()
                    : rules(declaration, declaration.declaredOn() + " (applied to Jersey's automatic OPTIONS answers of "
                    + resourceClass.getName() + ")", defaultName(target)), declaration);
            Limits raced = automaticOptions.putIfAbsent(resourceClass, limits);
            limits = raced == null ? limits : raced;
        }
        return limits;
    }

    private Limits parse(Class<?> resourceClass, Method method) {
        LimitDeclarations.Declaration declaration = LimitDeclarations.find(resourceClass, method);
        String target = LimitDeclarations.describe(resourceClass, method);
        if (declaration.isEmpty() || declaration.exempt()) {
            return new Limits(target, List.of(), declaration);
        }
        String where = declaration.declaredOn().equals(target) ? target
                : declaration.declaredOn() + " (applied to " + target + ")";
        return new Limits(target, rules(declaration, where, defaultName(target)), declaration,
                countWhen(declaration, where, defaultName(target)));
    }

    /** Each annotation's {@code countWhen}, by rule name; checked now, so an invalid one fails the deployment. */
    private static Map<String, StatusCondition> countWhen(LimitDeclarations.Declaration declaration, String where,
            String defaultName) {
        Map<String, StatusCondition> conditions = new HashMap<>();
        for (RateLimited annotation : declaration.annotations()) {
            StatusCondition when;
            try {
                when = StatusCondition.parse(annotation.countWhen());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid @RateLimited on " + where + ": " + e.getMessage(), e);
            }
            if (when != null) {
                conditions.put(RateLimitRule.from(annotation, defaultName, where).name(), when);
            }
        }
        return Map.copyOf(conditions);
    }

    /** Limits as declared, without overrides (tests). */
    ResourceLimits() {
        this(UnaryOperator.identity());
    }

    /**
     * @param overrides the overrides by rule name ({@code ratelimit.rules.*}), applied to each method's declared rules
     */
    ResourceLimits(UnaryOperator<List<RateLimitRule>> overrides) {
        this.overrides = overrides;
    }

    private List<RateLimitRule> rules(LimitDeclarations.Declaration declaration, String where,
            String defaultName) {
        List<RateLimitRule> rules = new ArrayList<>(declaration.annotations().size());
        for (RateLimited annotation : declaration.annotations()) {
            rules.add(RateLimitRule.from(annotation, defaultName, where));
        }
        try {
            ClientKeys.checkRules(rules);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid @RateLimited on " + where + ": " + e.getMessage(), e);
        }
        if (rules.isEmpty()) {
            return List.of();
        }
        try {
            return overrides.apply(List.copyOf(rules));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid rule override for " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The default rule name of a resource method: short and opaque ({@link RuleNames#opaque(String)}), derived from
     * the method as its resource class has it, {@code com.acme.Api#search(String)}, so overloads count apart and the
     * name stays the same across deployments, while clients, who see it in {@code RateLimit-Policy}, do not learn the
     * application's class and method names. The startup listing shows it next to the method.
     *
     * @param method the method, as {@link LimitDeclarations#describe(Class, Method)} gives it
     * @return a valid rule name such as {@code limit-3fa9c2d1b0e4}
     */
    static String defaultName(String method) {
        return RuleNames.opaque(method);
    }
}
