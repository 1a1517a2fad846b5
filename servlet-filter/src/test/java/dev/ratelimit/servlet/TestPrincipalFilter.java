package dev.ratelimit.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.security.Principal;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Stands in for authentication in the tests: a request with {@code X-Test-User: alice} reaches the next filters
 * with the principal {@code alice}, as after a container or framework login; with {@code X-Test-Role: ops, audit} too,
 * that user is in the roles {@code ops} and {@code audit}.
 */
public class TestPrincipalFilter implements Filter {

    static final String HEADER = "X-Test-User";
    /** The user's roles, comma-separated. */
    static final String ROLE_HEADER = "X-Test-Role";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String user = ((HttpServletRequest) request).getHeader(HEADER);
        if (user == null) {
            chain.doFilter(request, response);
            return;
        }
        Principal principal = () -> user;
        String roleHeader = ((HttpServletRequest) request).getHeader(ROLE_HEADER);
        Set<String> roles = roleHeader == null ? Set.of() : Arrays.stream(roleHeader.split(","))
                .map(String::strip).collect(Collectors.toSet());
        chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) request) {
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public String getRemoteUser() {
                return user;
            }

            @Override
            public boolean isUserInRole(String role) {
                return roles.contains(role);
            }
        }, response);
    }
}
