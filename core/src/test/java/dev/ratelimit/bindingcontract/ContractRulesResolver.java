package dev.ratelimit.bindingcontract;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.http.RulesResolver;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's rules resolver of the contract's fixtures, bound when a test's settings hold
 * {@value BindingContract#APPLICATION_RULES_RESOLVER}{@code =true} (JAX-RS: in HK2, for the whole application; servlet:
 * the init-param {@code rulesResolver} of every filter). It keeps the declared rules unless the request header
 * {@value #HEADER} says otherwise: {@code add} adds {@link #ADDED}, {@code exempt} returns no rule, and {@code throw},
 * {@code null} and {@code twice} (the first rule twice) misbehave as a faulty resolver could.
 */
public final class ContractRulesResolver implements RulesResolver {

    /** The request header that chooses what the resolver does. */
    public static final String HEADER = "X-Contract-Rules";

    /** The rule {@code add} adds: {@code added}, 1 per 1h, FIXED_WINDOW, PRINCIPAL_OR_IP. */
    public static final RateLimitRule ADDED = RateLimitRule.custom().name("added").limit(1).window("1h")
            .algorithm(Algorithm.FIXED_WINDOW).build();

    @Override
    public List<RateLimitRule> resolve(RequestView request, List<RateLimitRule> declared) {
        List<String> how = request.headerValues(HEADER);
        switch (how.isEmpty() ? "" : how.get(0)) {
            case "add":
                List<RateLimitRule> more = new ArrayList<>(declared);
                more.add(ADDED);
                return more;
            case "exempt":
                return List.of();
            case "throw":
                throw new IllegalStateException("a faulty rules resolver");
            case "null":
                return null;
            case "twice":
                List<RateLimitRule> twice = new ArrayList<>(declared);
                twice.add(declared.get(0));
                return twice;
            default:
                return declared;
        }
    }
}
