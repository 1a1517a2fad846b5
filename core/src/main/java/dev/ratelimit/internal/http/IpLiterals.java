package dev.ratelimit.internal.http;

/**
 * Parses and formats IP address literals without any name lookup: the text is checked character by character, so a
 * hostname (or a header value an attacker chose) can never trigger DNS. Addresses are {@code byte[4]} (IPv4) or
 * {@code byte[16]} (IPv6); an IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) is returned as its IPv4 address.
 */
final class IpLiterals {

    /** Longer text is never an address with brackets, zone or port; rejected before any parsing work. */
    static final int MAX_NODE_LENGTH = 64;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private IpLiterals() {
    }

    /**
     * An address literal: dotted-quad IPv4 (no leading zeros) or IPv6 (RFC 4291 text, optionally with a dotted-quad
     * tail). With {@code allowZone}, an IPv6 zone suffix such as {@code %eth0} is accepted and dropped.
     *
     * @return the address, or null when {@code text} is not an address literal
     */
    static byte[] parse(String text, boolean allowZone) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.isEmpty() || s.length() > MAX_NODE_LENGTH) {
            return null;
        }
        if (s.indexOf(':') < 0) {
            return parseV4(s, 0, s.length());
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            if (!allowZone || zone == s.length() - 1) {
                return null;
            }
            s = s.substring(0, zone);
        }
        return parseV6(s);
    }

    /**
     * A node of {@code X-Forwarded-For} or of a {@code Forwarded} {@code for=} value, already unquoted: an address,
     * {@code [IPv6]}, {@code [IPv6]:port} or {@code IPv4:port}. Ports (also obfuscated ones, {@code _abc}) are dropped.
     *
     * @return the address, or null for anything else ({@code unknown}, obfuscated identifiers, garbage)
     */
    static byte[] parseNode(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        int n = s.length();
        if (n == 0 || n > MAX_NODE_LENGTH) {
            return null;
        }
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0 || (close + 1 < n && (s.charAt(close + 1) != ':' || !isPort(s, close + 2, n)))) {
                return null;
            }
            String inner = s.substring(1, close);
            return inner.indexOf(':') < 0 ? null : parseV6(inner);
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return parseV4(s, 0, n);
        }
        if (s.indexOf(':', colon + 1) < 0) {
            return isPort(s, colon + 1, n) ? parseV4(s, 0, colon) : null;
        }
        return parseV6(s);
    }

    /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, no leading zeros, longest zero run as {@code ::}). */
    static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
                    + (address[3] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (group(address, i) != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && group(address, i) == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            appendHex(sb, group(address, i));
        }
        return sb.toString();
    }

    /** {@code address} with every bit past {@code prefixLength} cleared (a new array). */
    static byte[] mask(byte[] address, int prefixLength) {
        byte[] network = address.clone();
        for (int bit = prefixLength; bit < network.length * 8; bit++) {
            network[bit >>> 3] = (byte) (network[bit >>> 3] & ~(0x80 >>> (bit & 7)));
        }
        return network;
    }

    /** Whether the first {@code prefixLength} bits of both addresses (of the same family) are equal. */
    static boolean matches(byte[] network, int prefixLength, byte[] address) {
        if (network.length != address.length) {
            return false;
        }
        int whole = prefixLength >>> 3;
        for (int i = 0; i < whole; i++) {
            if (network[i] != address[i]) {
                return false;
            }
        }
        int rest = prefixLength & 7;
        if (rest == 0) {
            return true;
        }
        int m = (0xff00 >>> rest) & 0xff;
        return (network[whole] & m) == (address[whole] & m);
    }

    private static int group(byte[] a, int i) {
        return ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }

    private static void appendHex(StringBuilder sb, int value) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int digit = (value >>> shift) & 0xf;
            if (digit != 0 || started || shift == 0) {
                sb.append(HEX[digit]);
                started = true;
            }
        }
    }

    private static boolean isPort(String s, int from, int to) {
        int n = to - from;
        if (n < 1) {
            return false;
        }
        if (s.charAt(from) == '_') { // RFC 7239 obfuscated port
            for (int i = from + 1; i < to; i++) {
                char c = s.charAt(i);
                if (!(isAlnum(c) || c == '.' || c == '_' || c == '-')) {
                    return false;
                }
            }
            return n > 1;
        }
        if (n > 5) {
            return false;
        }
        int port = 0;
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
            port = port * 10 + (s.charAt(i) - '0');
        }
        return port <= 65_535;
    }

    /** Strict dotted quad: four decimal parts of 1–3 digits, 0–255, no leading zeros (no octal ambiguity). */
    private static byte[] parseV4(String s, int from, int to) {
        byte[] out = new byte[4];
        return parseV4Into(s, from, to, out, 0) ? out : null;
    }

    private static boolean parseV4Into(String s, int from, int to, byte[] out, int offset) {
        int part = 0;
        int i = from;
        while (part < 4) {
            int start = i;
            int value = 0;
            while (i < to && isDigit(s.charAt(i)) && i - start < 3) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
            out[offset + part++] = (byte) value;
            if (part < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return false;
                }
                i++;
            }
        }
        return i == to;
    }

    private static byte[] parseV6(String s) {
        int n = s.length();
        if (n < 2) {
            return null;
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        byte[] v4Tail = null;
        if (s.charAt(0) == ':') {
            if (s.charAt(1) != ':') {
                return null;
            }
            gap = 0;
            i = 2;
        }
        while (i < n) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 4 && hex(s.charAt(i)) >= 0) {
                value = (value << 4) | hex(s.charAt(i));
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                if (count > 6) {
                    return null;
                }
                v4Tail = new byte[4];
                if (!parseV4Into(s, start, n, v4Tail, 0)) {
                    return null;
                }
                break;
            }
            if (i == start || count == 8) {
                return null;
            }
            groups[count++] = value;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                i++;
            } else if (i == n) {
                return null;
            }
        }
        int total = count + (v4Tail == null ? 0 : 2);
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        int zeros = 8 - total;
        int at = 0;
        for (int g = 0; g < count; g++) {
            if (g == gap) {
                at += zeros;
            }
            out[2 * at] = (byte) (groups[g] >>> 8);
            out[2 * at + 1] = (byte) groups[g];
            at++;
        }
        if (v4Tail != null) {
            System.arraycopy(v4Tail, 0, out, 12, 4);
        }
        return unmapped(out);
    }

    /** {@code ::ffff:a.b.c.d} → {@code a.b.c.d}; any other address unchanged. */
    private static byte[] unmapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return a;
            }
        }
        if (a[10] != (byte) 0xff || a[11] != (byte) 0xff) {
            return a;
        }
        return new byte[] {a[12], a[13], a[14], a[15]};
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlnum(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
