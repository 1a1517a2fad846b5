package dev.ratelimit.internal.http;

import dev.ratelimit.http.RequestView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reverse proxies and load balancers whose forwarding headers are believed, as a list of IPv4/IPv6 addresses
 * and CIDR ranges. Immutable and thread-safe.
 *
 * <p>{@link #clientAddress(RequestView)} honours {@code X-Forwarded-For} (or, when it is absent, the RFC 7239
 * {@code Forwarded} header's {@code for=} values) only when the socket peer is trusted, and then walks the list from
 * the right, skipping trusted proxies: the first untrusted address is the client. A client can prepend anything to
 * those headers, but cannot forge what a trusted proxy appended, so spoofed entries are never reached. Parsing
 * never performs DNS lookups.
 */
public final class TrustedProxies {

    /** Forwarded entries examined at most per request, so a huge header costs little. */
    static final int MAX_HOPS = 32;

    private static final TrustedProxies NONE = new TrustedProxies(List.of());
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String FORWARDED = "Forwarded";

    private final List<Cidr> ranges;

    private TrustedProxies(List<Cidr> ranges) {
        this.ranges = ranges;
    }

    /**
     * No trusted proxy: forwarding headers are ignored and the socket peer is the client (the default).
     *
     * @return the shared empty instance
     */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses a comma-separated list of IP addresses and CIDR ranges, e.g.
     * {@code 10.0.0.0/8, 192.168.1.10, 2001:db8::/32, ::1}. Whitespace and empty entries are ignored; host bits
     * below the prefix are ignored too ({@code 10.1.2.3/8} means {@code 10.0.0.0/8}). Only IP literals are accepted,
     * never host names.
     *
     * @param csv the list; null or blank means {@link #none()}
     * @return the trusted proxies
     * @throws IllegalArgumentException naming the first entry that is not an address or CIDR range
     */
    public static TrustedProxies parse(String csv) {
        return parse(csv, "trusted proxy");
    }

    /**
     * Parses a comma-separated list of addresses and CIDR ranges like {@link #parse(String)}, for another use of such
     * a list (e.g. the exempt client networks, which {@link Exemptions} matches against the client address).
     *
     * @param csv  the list; null or blank means {@link #none()}
     * @param what what an entry is, for the error, e.g. {@code exempt network}
     * @return the ranges
     * @throws IllegalArgumentException naming the first entry that is not an address or CIDR range
     */
    public static TrustedProxies parse(String csv, String what) {
        if (csv == null || csv.isBlank()) {
            return NONE;
        }
        List<Cidr> ranges = new ArrayList<>();
        for (String raw : csv.split(",", -1)) {
            String entry = raw.strip();
            if (!entry.isEmpty()) {
                ranges.add(Cidr.parse(entry, what));
            }
        }
        return ranges.isEmpty() ? NONE : new TrustedProxies(List.copyOf(ranges));
    }

    /**
     * Whether an address lies in one of the trusted ranges.
     *
     * @param ip an IPv4 or IPv6 literal; may be null
     * @return {@code true} when it is trusted; false for anything not an IP literal
     */
    public boolean isTrusted(String ip) {
        byte[] address = IpLiterals.parse(ip, true);
        return address != null && contains(address);
    }

    /**
     * The client's IP address, in canonical form (IPv6 compressed and lower case, IPv4-mapped IPv6 as IPv4).
     *
     * <p>When the socket peer is not trusted, that is the peer. Otherwise the forwarding header is walked from the
     * right, skipping trusted addresses, and the first untrusted one is returned; when every entry is trusted, the
     * left-most. When an entry is not an IP literal ({@code unknown}, an obfuscated identifier, garbage), the walk
     * stops there and the last valid address to its right (or the peer) is returned, so garbage cannot choose a key.
     * At most {@value #MAX_HOPS} entries are examined. Ports and IPv6 brackets are dropped.
     *
     * <p>When the peer address is not an IP literal (e.g. a Unix domain socket), it is returned as given, trimmed;
     * when it is missing altogether, {@code unknown}.
     *
     * @param request the request, for its peer address and forwarding headers
     * @return the client's address, never null
     */
    public String clientAddress(RequestView request) {
        String peer = request.remoteAddress();
        byte[] peerAddress = IpLiterals.parse(peer, true);
        if (peerAddress == null) {
            return peer == null || peer.isBlank() ? "unknown" : peer.strip();
        }
        return IpLiterals.format(clientAddress(peerAddress, request));
    }

    /** The client address of a request whose peer address is already parsed. */
    byte[] clientAddress(byte[] peer, RequestView request) {
        if (ranges.isEmpty() || !contains(peer)) {
            return peer;
        }
        List<String> xff = request.headerValues(X_FORWARDED_FOR);
        if (hasContent(xff)) {
            return walkXForwardedFor(xff, peer);
        }
        List<String> forwarded = request.headerValues(FORWARDED);
        if (hasContent(forwarded)) {
            return walkForwarded(forwarded, peer);
        }
        return peer;
    }

    boolean contains(byte[] address) {
        for (Cidr range : ranges) {
            if (IpLiterals.matches(range.network, range.prefixLength, address)) {
                return true;
            }
        }
        return false;
    }

    /** Walks the comma-separated entries of every header line from the right, without splitting the whole header. */
    private byte[] walkXForwardedFor(List<String> lines, byte[] peer) {
        Hops hops = new Hops(peer);
        int examined = 0;
        for (int l = lines.size() - 1; l >= 0; l--) {
            String line = lines.get(l);
            if (line == null) {
                continue;
            }
            int end = line.length();
            while (end >= 0) {
                int comma = end == 0 ? -1 : line.lastIndexOf(',', end - 1);
                int from = comma + 1;
                int to = end;
                end = comma;
                while (from < to && isOws(line.charAt(from))) {
                    from++;
                }
                while (to > from && isOws(line.charAt(to - 1))) {
                    to--;
                }
                if (++examined > MAX_HOPS) {
                    return hops.client();
                }
                if (from == to) {
                    continue; // an empty list element, as in "a, , b"
                }
                byte[] address = to - from > IpLiterals.MAX_NODE_LENGTH ? null
                        : IpLiterals.parseNode(line.substring(from, to));
                if (hops.decides(address)) {
                    return hops.client();
                }
            }
        }
        return hops.client();
    }

    private byte[] walkForwarded(List<String> lines, byte[] peer) {
        String[] ring = new String[MAX_HOPS];
        int count = 0;
        for (String line : lines) {
            if (line != null) {
                count = ForwardedHeader.forValues(line, ring, count);
            }
        }
        Hops hops = new Hops(peer);
        int examined = Math.min(count, MAX_HOPS);
        for (int k = 1; k <= examined; k++) {
            String node = ring[(count - k) % MAX_HOPS];
            if (hops.decides(node == ForwardedHeader.MALFORMED ? null : IpLiterals.parseNode(node))) {
                break;
            }
        }
        return hops.client();
    }

    /**
     * The walk from the peer leftwards over the hops: a trusted hop passes the question on to the hop before it; the
     * first hop that is not trusted is the client; a malformed hop ends the walk at the last trusted one.
     */
    private final class Hops {
        private byte[] client;

        Hops(byte[] peer) {
            this.client = peer;
        }

        /**
         * Takes the next hop to the left.
         *
         * @param address the hop, or null when it is malformed
         * @return whether the walk is over
         */
        boolean decides(byte[] address) {
            if (address == null) {
                return true; // the last trusted hop stays the client
            }
            client = address;
            return !contains(address);
        }

        /** The client: the first untrusted hop, else the last trusted one. */
        byte[] client() {
            return client;
        }
    }

    private static boolean hasContent(List<String> values) {
        if (values == null) {
            return false;
        }
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return true;
            }
        }
        return false;
    }

    /** Optional whitespace of HTTP: a space or a tab. */
    static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedProxies && ranges.equals(((TrustedProxies) o).ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    /** The ranges in canonical form, e.g. {@code [10.0.0.0/8, 2001:db8::/32]}. */
    @Override
    public String toString() {
        return ranges.toString();
    }

    /** One trusted range. */
    private static final class Cidr {
        final byte[] network;
        final int prefixLength;

        private Cidr(byte[] network, int prefixLength) {
            this.network = network;
            this.prefixLength = prefixLength;
        }

        static Cidr parse(String entry, String what) {
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash).strip();
            byte[] address = IpLiterals.parse(host, false);
            if (address == null) {
                throw invalid(entry, what);
            }
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String p = entry.substring(slash + 1).strip();
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw invalid(entry, what);
                }
                prefix = Integer.parseInt(p);
                if (address.length == 4 && host.indexOf(':') >= 0) {
                    prefix -= 96; // an IPv4-mapped range such as ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8
                }
                if (prefix < 0 || prefix > bits) {
                    throw invalid(entry, what);
                }
            }
            return new Cidr(IpLiterals.mask(address, prefix), prefix);
        }

        private static IllegalArgumentException invalid(String entry, String what) {
            return new IllegalArgumentException(what + " '" + entry
                    + "' is not an IP address or CIDR range such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr && prefixLength == ((Cidr) o).prefixLength
                    && Arrays.equals(network, ((Cidr) o).network);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(network) + prefixLength;
        }

        @Override
        public String toString() {
            return IpLiterals.format(network) + "/" + prefixLength;
        }
    }
}
