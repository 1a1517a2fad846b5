package dev.ratelimit.servlet;

import dev.ratelimit.http.RequestView;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * A servlet request as the core sees it: the socket peer from {@link HttpServletRequest#getRemoteAddr()}, the
 * principal from {@link HttpServletRequest#getUserPrincipal()}, headers from {@link HttpServletRequest#getHeaders},
 * roles from {@link HttpServletRequest#isUserInRole(String)}.
 * The core does the rest (trusted proxies, key prefixes, fallback to the IP).
 */
final class ServletRequestView implements RequestView {

    private final HttpServletRequest request;

    ServletRequestView(HttpServletRequest request) {
        this.request = request;
    }

    @Override
    public String remoteAddress() {
        return request.getRemoteAddr();
    }

    @Override
    public String principalName() {
        Principal principal = request.getUserPrincipal();
        return principal == null ? null : principal.getName();
    }

    @Override
    public List<String> headerValues(String name) {
        Enumeration<String> values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return List.of(); // null when the container denies access to headers
        }
        List<String> list = new ArrayList<>(2);
        while (values.hasMoreElements()) {
            list.add(values.nextElement());
        }
        return list;
    }

    @Override
    public boolean isUserInRole(String role) {
        return request.getUserPrincipal() != null && request.isUserInRole(role);
    }
}
