package dev.ratelimit.http;

import java.util.List;

/**
 * What a binding (the Jakarta REST filter, the servlet filter) exposes of an HTTP request to the key
 * resolution (principal, client IP behind trusted proxies, headers, a {@link KeyResolver}). A thin, read-only adapter; implementations need not be thread-safe.
 */
public interface RequestView {

    /**
     * The socket peer's address.
     *
     * @return the IP literal as the container reports it, e.g. {@code 203.0.113.7} or {@code ::1}
     */
    String remoteAddress();

    /**
     * The authenticated principal's name.
     *
     * @return the name, or null when the request is not authenticated
     */
    String principalName();

    /**
     * Every value of a request header, one element per header line, in the order received.
     *
     * @param name the header name, matched case-insensitively
     * @return the values; an empty list (never null) when the header is absent
     */
    List<String> headerValues(String name);

    /**
     * Whether the authenticated user has a role, as the container or the application's security says: the servlet
     * filter asks {@code HttpServletRequest.isUserInRole}, the JAX-RS binding {@code SecurityContext.isUserInRole}.
     * The bindings use it for the exempt roles ({@code ratelimit.exempt.roles}).
     *
     * @param role the role name, matched as the security layer matches it (usually case-sensitively)
     * @return whether the user is in the role; false by default, and for a request without a principal
     */
    default boolean isUserInRole(String role) {
        return false;
    }
}
