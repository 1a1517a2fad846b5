package dev.ratelimit.http;

import dev.ratelimit.core.RateLimitRule;
import java.util.List;

/**
 * Chooses the rules of one request from the rules its endpoint declares, in both bindings: a plan, tenant or
 * customer tier may change a rule's limit, window, algorithm or cost, add rules, drop rules, or exempt the request.
 * The JAX-RS binding takes the application's HK2 binding of this type; the servlet filter the class named by its
 * init-param {@code rulesResolver} (public, with a public no-argument constructor). Without one, the plan table of the
 * settings ({@code ratelimit.plans.*}, see {@code docs/plans.md}) is used when configured, else the declared rules.
 *
 * <p>It runs on the request thread for every limited request that is not exempt by configuration, before the keys
 * are resolved, and must be thread-safe and fast: build the rules once (e.g. per plan, in a map) and return the same
 * instances, never new rules per request. A rule counts apart from another unless name, algorithm, limit and window
 * are all equal, so a client whose plan changes starts on that plan's counter.
 *
 * <p>When it throws, returns null, returns a list with a null element, more than 16 rules or the same counter (name,
 * algorithm, limit and window) twice, the declared rules are used and a WARN names the resolver: a faulty resolver
 * never fails a request.
 */
@FunctionalInterface
public interface RulesResolver {

    /**
     * The rules this request is counted under.
     *
     * @param request  the request
     * @param declared the endpoint's rules (from {@code @RateLimited} or the filter's init-params), in declared order;
     *                 not empty, unmodifiable, the same list instance for every request of the endpoint
     * @return {@code declared} to keep them; other rules; or an empty list to exempt the request (not counted, no
     *         rate-limit headers, reported to the metrics as exempt)
     */
    List<RateLimitRule> resolve(RequestView request, List<RateLimitRule> declared);
}
