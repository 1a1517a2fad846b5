package dev.ratelimit.example;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Demo authentication inside the WAR (no container realm to configure): HTTP Basic with three fixed users, alice /
 * alice-secret (no role), bob / bob-secret (role {@code pro}), carol / carol-secret (role {@code internal}) and admin /
 * admin-secret (role {@code ratelimit-admin}, for the admin endpoint). A valid
 * login becomes the request's principal, which the rate limiter then counts by, with its roles
 * ({@code isUserInRole}), which choose its plan ({@code ratelimit.plans.pro.role}) or exempt it
 * ({@code ratelimit.exempt.roles}); anything else passes on unauthenticated and the resource answers 401.
 */
public class BasicAuthFilter implements Filter {

    private static final Map<String, String> USERS = Map.of("alice", "alice-secret", "bob", "bob-secret",
            "carol", "carol-secret", "admin", "admin-secret");
    private static final Map<String, Set<String>> ROLES = Map.of("alice", Set.of(), "bob", Set.of("pro"),
            "carol", Set.of("internal"), "admin", Set.of("ratelimit-admin"));

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        String user = authenticate(http.getHeader("Authorization"));
        if (user == null) {
            chain.doFilter(request, response);
            return;
        }
        Principal principal = () -> user;
        chain.doFilter(new HttpServletRequestWrapper(http) {
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public String getRemoteUser() {
                return user;
            }

            @Override
            public String getAuthType() {
                return BASIC_AUTH;
            }

            @Override
            public boolean isUserInRole(String role) {
                return ROLES.get(user).contains(role);
            }
        }, response);
    }

    static String authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        return valid(user, decoded.substring(colon + 1)) ? user : null;
    }

    /** Whether {@code password} is {@code user}'s (in constant time for a known user). */
    static boolean valid(String user, String password) {
        String expected = user == null ? null : USERS.get(user);
        return expected != null && password != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }
}
