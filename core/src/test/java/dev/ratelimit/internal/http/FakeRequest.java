package dev.ratelimit.internal.http;

import dev.ratelimit.http.RequestView;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A {@link RequestView} built in tests: a peer address, an optional principal and roles, header lines by name. */
final class FakeRequest implements RequestView {

    private final String remoteAddress;
    private String principal;
    private final Set<String> roles = new HashSet<>();
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    private FakeRequest(String remoteAddress) {
        this.remoteAddress = remoteAddress;
    }

    static FakeRequest from(String remoteAddress) {
        return new FakeRequest(remoteAddress);
    }

    FakeRequest principal(String name) {
        this.principal = name;
        return this;
    }

    /** Puts the user in these roles (the security layer answers for them whether or not there is a principal). */
    FakeRequest roles(String... names) {
        roles.addAll(List.of(names));
        return this;
    }

    /** Adds one header line per value. */
    FakeRequest header(String name, String... values) {
        List<String> lines = headers.computeIfAbsent(name, n -> new ArrayList<>());
        for (String v : values) {
            lines.add(v);
        }
        return this;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String principalName() {
        return principal;
    }

    @Override
    public List<String> headerValues(String name) {
        return List.copyOf(headers.getOrDefault(name, List.of()));
    }

    @Override
    public boolean isUserInRole(String role) {
        return roles.contains(role);
    }
}
