package dev.ratelimit.internal.http;

import dev.ratelimit.http.RequestView;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The clients no limit applies to, from configuration ({@code ratelimit.exempt.networks}, {@code .principals},
 * {@code .roles}): a request is exempt when its client address lies in one of the networks, or its principal's name is
 * one of the principals, or its authenticated user is in one of the roles. The client address is the one
 * {@link RequestKeys} counts: the socket peer, or behind a trusted proxy the forwarded client, so a forwarding header
 * sent by anyone else can never make a request exempt. It is matched in full (IPv6 grouping by
 * {@code ratelimit.ipv6-prefix-length} does not widen a network). Principal names are matched exactly, case
 * included; roles through the request's {@link RequestView#isUserInRole(String)}, and only for a request with a
 * principal. Immutable and thread-safe.
 */
public final class Exemptions {

    private static final Exemptions NONE = new Exemptions(TrustedProxies.none(), Set.of(), List.of());

    private final TrustedProxies networks;
    private final Set<String> principals;
    private final List<String> roles;
    private final boolean byNetwork;
    private final boolean any;

    private Exemptions(TrustedProxies networks, Set<String> principals, List<String> roles) {
        this.networks = networks;
        this.principals = principals;
        this.roles = roles;
        this.byNetwork = !networks.equals(TrustedProxies.none());
        this.any = byNetwork || !principals.isEmpty() || !roles.isEmpty();
    }

    /**
     * No exemption: every request is counted (the default).
     *
     * @return the shared empty instance
     */
    public static Exemptions none() {
        return NONE;
    }

    /**
     * The given exemptions.
     *
     * @param networks   the client networks, parsed by {@link TrustedProxies#parse(String, String)}
     * @param principals the principal names
     * @param roles      the roles, in the order they are asked about
     * @return the exemptions; {@link #none()} when all three are empty
     */
    public static Exemptions of(TrustedProxies networks, Set<String> principals, List<String> roles) {
        Exemptions e = new Exemptions(Objects.requireNonNull(networks, "networks"), Set.copyOf(principals),
                List.copyOf(roles));
        return e.any ? e : NONE;
    }

    /** {@return whether any exemption is configured; when not, no request is ever exempt} */
    public boolean any() {
        return any;
    }

    /**
     * Whether a request is exempt.
     *
     * @param request the request
     * @param keys    how its client address is found (the trusted proxies)
     * @return whether a network, principal or role exempts it
     */
    public boolean exempts(RequestView request, RequestKeys keys) {
        if (!any) {
            return false;
        }
        String principal = request.principalName();
        if (principal != null && !principals.isEmpty() && principals.contains(principal)) {
            return true;
        }
        if (byNetwork) {
            byte[] client = keys.clientAddress(request);
            if (client != null && networks.contains(client)) {
                return true;
            }
        }
        if (principal != null) {
            for (String role : roles) {
                if (request.isUserInRole(role)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@return the exempt networks} */
    public TrustedProxies networks() {
        return networks;
    }

    /** {@return the exempt principal names} */
    public Set<String> principals() {
        return principals;
    }

    /** {@return the exempt roles} */
    public List<String> roles() {
        return roles;
    }

    /** For the logs: {@code none}, or e.g. {@code networks [10.0.0.0/8], principals [monitor], roles [admin]}. */
    @Override
    public String toString() {
        if (!any) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        if (byNetwork) {
            s.append("networks ").append(networks);
        }
        if (!principals.isEmpty()) {
            s.append(s.length() == 0 ? "" : ", ").append("principals ").append(principals.stream().sorted().toList());
        }
        if (!roles.isEmpty()) {
            s.append(s.length() == 0 ? "" : ", ").append("roles ").append(roles);
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Exemptions e && networks.equals(e.networks) && principals.equals(e.principals)
                && roles.equals(e.roles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networks, principals, roles);
    }
}
