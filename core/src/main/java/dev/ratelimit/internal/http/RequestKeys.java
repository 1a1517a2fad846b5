package dev.ratelimit.internal.http;

import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.RequestView;

import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import java.util.List;
import java.util.Objects;

/**
 * Resolves the key a request is counted against, following the rule's {@link KeySource}; both bindings call
 * {@link #keyFor(RateLimitRule, RequestView, KeyResolver)}. Immutable and thread-safe.
 *
 * <p>Keys carry a type prefix, so a user named {@code 10.0.0.1} never shares a counter with that IP:
 * <ul>
 *   <li>{@code user:<principal name>}: {@link KeySource#PRINCIPAL_OR_IP} with an authenticated principal;</li>
 *   <li>{@code ip:<client address>}: {@link KeySource#IP}, and every source when its own key is missing;</li>
 *   <li>{@code header:<value>}: {@link KeySource#HEADER};</li>
 *   <li>{@code custom:<value>}: {@link KeySource#CUSTOM}.</li>
 * </ul>
 * A request without a usable principal, header or custom key is counted against its client IP, never against one
 * shared "unknown" key that a single client could exhaust for everyone: a request whose binding reports no peer
 * address at all, when its key needs one, fails with an {@link IllegalStateException} instead of being counted. The
 * client IP comes from
 * {@link TrustedProxies#clientAddress(RequestView)}; IPv6 clients may be grouped by network prefix, since one host
 * often holds a whole /64. Long or unusual keys are bounded by the stores, not here.
 */
public final class RequestKeys {

    private static final RequestKeys DEFAULTS = custom().build();

    private final TrustedProxies trustedProxies;
    private final int ipv6PrefixLength;

    private RequestKeys(Builder b) {
        this.trustedProxies = b.trustedProxies;
        this.ipv6PrefixLength = b.ipv6PrefixLength;
    }

    /**
     * The default key resolution: no trusted proxies and no IPv6 grouping.
     *
     * @return a shared instance
     */
    public static RequestKeys ofDefaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from {@link #ofDefaults()}.
     *
     * @return a new builder
     */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * The key of {@code request} under {@code rule}.
     *
     * @param rule    the rule, whose {@link RateLimitRule#keySource()} (and {@link RateLimitRule#keyHeader()}) apply
     * @param request the request
     * @param custom  the resolver for {@link KeySource#CUSTOM}; when null, such rules count by client IP
     * @return a non-empty key such as {@code user:alice}, {@code ip:203.0.113.7}, {@code ip:2001:db8:1:2::/64},
     *         {@code header:k-123} or {@code custom:tenant-9}
     * @throws IllegalStateException when the key is the client IP and the request has no peer address (null or
     *                               blank): the binding was given no way to read it, and counting such requests
     *                               against one shared key would let one client exhaust the limit for everyone
     * @throws RuntimeException      whatever {@code custom} throws
     */
    public String keyFor(RateLimitRule rule, RequestView request, KeyResolver custom) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(request, "request");
        switch (rule.keySource()) {
            case PRINCIPAL_OR_IP: {
                String principal = request.principalName();
                if (principal != null && !principal.isBlank()) {
                    return "user:" + principal;
                }
                break;
            }
            case HEADER: {
                List<String> values = request.headerValues(rule.keyHeader());
                if (values != null && !values.isEmpty() && values.get(0) != null) {
                    String value = values.get(0).strip();
                    if (!value.isEmpty()) {
                        return "header:" + value;
                    }
                }
                break;
            }
            case CUSTOM: {
                String value = custom == null ? null : custom.resolve(request);
                if (value != null && !value.isBlank()) {
                    return "custom:" + value;
                }
                break;
            }
            default:
                break;
        }
        return ipKey(request);
    }

    /**
     * The client's address as {@link #keyFor} counts it, before any IPv6 grouping: the socket peer, or behind trusted
     * proxies the forwarded client.
     *
     * @return the address, or null when the peer address is missing or not an IP literal
     */
    byte[] clientAddress(RequestView request) {
        byte[] peer = IpLiterals.parse(request.remoteAddress(), true);
        return peer == null ? null : trustedProxies.clientAddress(peer, request);
    }

    /** {@code ip:} and the client address, IPv6 grouped by {@link #ipv6PrefixLength()}. */
    private String ipKey(RequestView request) {
        String peer = request.remoteAddress();
        byte[] peerAddress = IpLiterals.parse(peer, true);
        if (peerAddress == null) {
            if (peer == null || peer.isBlank()) {
                throw new IllegalStateException("the request has no client address, so it cannot be counted by IP "
                        + "(and never against one key shared by every client): the binding must be given the socket "
                        + "peer's address; outside a servlet container bind a dev.ratelimit.jaxrs.PeerAddress (see "
                        + "docs/jaxrs.md, \"Containers\")");
            }
            return "ip:" + peer.strip();
        }
        byte[] client = trustedProxies.clientAddress(peerAddress, request);
        if (client.length == 16 && ipv6PrefixLength < 128) {
            return "ip:" + IpLiterals.format(IpLiterals.mask(client, ipv6PrefixLength)) + "/" + ipv6PrefixLength;
        }
        return "ip:" + IpLiterals.format(client);
    }

    /**
     * The proxies whose forwarding headers are believed.
     *
     * @return the trusted proxies; {@link TrustedProxies#none()} by default
     */
    public TrustedProxies trustedProxies() {
        return trustedProxies;
    }

    /**
     * IPv6 clients are keyed by their network of this many bits.
     *
     * @return 0 to 128; 128 means each address on its own
     */
    public int ipv6PrefixLength() {
        return ipv6PrefixLength;
    }

    @Override
    public String toString() {
        return "RequestKeys[trustedProxies=" + trustedProxies + ", ipv6PrefixLength=" + ipv6PrefixLength + "]";
    }

    /** Builds {@link RequestKeys}; each value is checked when set. */
    public static final class Builder {
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private int ipv6PrefixLength = 128;

        private Builder() {
        }

        /**
         * The trusted proxies; {@link TrustedProxies#none()} unless set.
         *
         * @param trustedProxies the proxies whose {@code X-Forwarded-For} / {@code Forwarded} headers are believed
         * @return this builder
         * @throws IllegalArgumentException when {@code trustedProxies} is null
         */
        public Builder trustedProxies(TrustedProxies trustedProxies) {
            if (trustedProxies == null) {
                throw new IllegalArgumentException("trustedProxies must not be null; use TrustedProxies.none()");
            }
            this.trustedProxies = trustedProxies;
            return this;
        }

        /**
         * Groups IPv6 clients by their /{@code prefixLength} network (e.g. 64: one counter per /64, which a single
         * host can otherwise use to rotate through 2<sup>64</sup> addresses). 0 to 128; 128 unless set, meaning no
         * grouping (each address has its own counter). IPv4 clients are never grouped.
         *
         * @param prefixLength 0 to 128
         * @return this builder
         * @throws IllegalArgumentException when {@code prefixLength} is outside 0–128
         */
        public Builder ipv6PrefixLength(int prefixLength) {
            if (prefixLength < 0 || prefixLength > 128) {
                throw new IllegalArgumentException("ipv6PrefixLength must be from 0 to 128, was " + prefixLength);
            }
            this.ipv6PrefixLength = prefixLength;
            return this;
        }

        /**
         * The key resolution.
         *
         * @return an immutable, thread-safe {@link RequestKeys}
         */
        public RequestKeys build() {
            return new RequestKeys(this);
        }
    }
}
