package dev.ratelimit.core;

import java.util.List;
import java.util.Map;

/**
 * The rules of a running web application, changed without a redeployment: overrides of the declared rules by rule
 * name, {@code <rule>.limit}, {@code .window}, {@code .algorithm}, {@code .cost} and {@code .enabled}, from the rules
 * file ({@code ratelimit.rules.file}, re-read when it changes) and from the application ({@link #replace}). They apply
 * on top of the declared rules and the {@code ratelimit.rules.*} settings, to every endpoint of both bindings, from
 * the next request on. A changed limit or window keeps each client's state: what a client had used stays used (see
 * {@link RateLimitRule.Builder#sameCounterAs}).
 *
 * <p>One per web application, shared by its bindings: the servlet context attribute {@link #ATTRIBUTE} holds it, and
 * the JAX-RS binding also injects it ({@code @Inject RuleOverrides}). Thread-safe. See docs/plans.md, "Limits at run
 * time".
 */
public interface RuleOverrides {

    /** The servlet context attribute holding the web application's overrides. */
    String ATTRIBUTE = "dev.ratelimit.core.RuleOverrides";

    /**
     * Replaces the application's overrides, as a whole: from the next request on, every endpoint counts under its
     * rules with these values (above those of the rules file). All or nothing: when a value is invalid, or makes an
     * endpoint's rules invalid, nothing changes.
     *
     * @param values {@code <rule>.<field>} to its value, as in the rules file, e.g. {@code search.limit} to
     *               {@code 100}; an empty map removes the application's overrides
     * @throws IllegalArgumentException naming the key and value, when a key is not {@code <rule>.<field>}, a value is
     *                                  invalid, or the values make an endpoint's rules invalid
     */
    void replace(Map<String, String> values);

    /**
     * The overrides in force: the rules file's, with the application's above them.
     *
     * @return {@code <rule>.<field>} to its value, in key order; empty when none
     */
    Map<String, String> values();

    /**
     * The rules each limited endpoint counts under now, after every override (plans and a {@code RulesResolver} may
     * still choose others per request).
     *
     * @return each endpoint, as the bindings name it (e.g. {@code GET /api/search}, {@code filter 'api'}), to its
     *         rules; an endpoint whose every rule is disabled maps to an empty list
     */
    Map<String, List<RateLimitRule>> rules();
}
