package dev.ratelimit.internal.config;

import static dev.ratelimit.internal.config.RateLimitSettings.shortName;

import dev.ratelimit.internal.http.Exemptions;
import dev.ratelimit.internal.http.TrustedProxies;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The {@code ratelimit.exempt.*} settings: the clients no limit applies to, each value checked once. */
final class ExemptionSettings {

    static final String EXEMPT_NETWORKS = "ratelimit.exempt.networks";
    static final String EXEMPT_PRINCIPALS = "ratelimit.exempt.principals";
    static final String EXEMPT_ROLES = "ratelimit.exempt.roles";

    private ExemptionSettings() {
    }

    /** {@return the exemptions the settings name; {@link Exemptions#none()} when none} */
    static Exemptions read(Function<String, Setting> in) {
        return exemptions(in.apply(EXEMPT_NETWORKS), in.apply(EXEMPT_PRINCIPALS), in.apply(EXEMPT_ROLES));
    }

    /** {@return the exemptions as the settings line lists them: {@code , exempt.networks=[…], …}} */
    static String describe(Exemptions exemptions) {
        return ", " + shortName(EXEMPT_NETWORKS) + "=" + exemptions.networks()
                + ", " + shortName(EXEMPT_PRINCIPALS) + "=" + exemptions.principals().stream().sorted().toList()
                + ", " + shortName(EXEMPT_ROLES) + "=" + exemptions.roles();
    }

    /**
     * The exemptions: the networks parsed like the trusted proxies, the principals and roles as comma-separated names
     * (whitespace around each and empty entries ignored).
     */
    private static Exemptions exemptions(Setting networks, Setting principals, Setting roles) {
        TrustedProxies exemptNetworks = TrustedProxies.none();
        if (networks != null) {
            try {
                exemptNetworks = TrustedProxies.parse(networks.text(), "exempt network");
            } catch (IllegalArgumentException e) {
                throw networks.invalid("is invalid: " + e.getMessage());
            }
        }
        Set<String> exemptPrincipals = new LinkedHashSet<>(
                principals == null ? List.of() : Values.names(principals.text()));
        List<String> exemptRoles = List.copyOf(new LinkedHashSet<>(
                roles == null ? List.of() : Values.names(roles.text())));
        for (String role : exemptRoles) {
            if (role.equals("*") || role.equals("**")) {
                // the servlet API reads "**" as "any authenticated user", JAX-RS security contexts need not: the two
                // bindings would disagree, so the wildcard is refused rather than half honoured
                throw roles.invalid("is invalid: '" + role + "' is not a role name (wildcards are not supported: "
                        + "list the roles)");
            }
        }
        return Exemptions.of(exemptNetworks, exemptPrincipals, exemptRoles);
    }
}
