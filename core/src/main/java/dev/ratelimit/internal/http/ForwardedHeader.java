package dev.ratelimit.internal.http;

import static dev.ratelimit.internal.http.TrustedProxies.isOws;

/**
 * Reads the RFC 7239 {@code Forwarded} header for {@link TrustedProxies}: the {@code for=} value of each of its
 * elements, read character by character without splitting the whole header.
 */
final class ForwardedHeader {

    /** Marks a {@code Forwarded} element without a usable {@code for=} value. */
    static final String MALFORMED = "\u0000";

    private ForwardedHeader() {
    }

    /**
     * Appends the {@code for=} value of each element of one {@code Forwarded} line to {@code ring} (the last
     * {@value TrustedProxies#MAX_HOPS} are kept):
     * {@code for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8::17]:4711"}. Parameter names are
     * case-insensitive, values are tokens or quoted strings. An element without exactly one {@code for=}, or with a
     * syntax error, is recorded as {@link #MALFORMED}.
     *
     * @return the new number of elements seen
     */
    static int forValues(String line, String[] ring, int count) {
        int n = line.length();
        int i = 0;
        String forValue = null;
        boolean content = false;
        boolean bad = false;
        while (true) {
            while (i < n && isOws(line.charAt(i))) {
                i++;
            }
            if (i >= n || line.charAt(i) == ',') {
                if (content) {
                    ring[count % TrustedProxies.MAX_HOPS] = bad || forValue == null ? MALFORMED : forValue;
                    count++;
                }
                if (i >= n) {
                    return count;
                }
                i++;
                forValue = null;
                content = false;
                bad = false;
                continue;
            }
            if (line.charAt(i) == ';') {
                i++;
                continue;
            }
            content = true;
            int nameStart = i;
            while (i < n && isTokenChar(line.charAt(i))) {
                i++;
            }
            boolean isFor = i - nameStart == 3 && line.regionMatches(true, nameStart, "for", 0, 3);
            boolean named = i > nameStart;
            while (i < n && isOws(line.charAt(i))) { // tolerated, though RFC 7239 has no space around '='
                i++;
            }
            if (!named || i >= n || line.charAt(i) != '=') {
                bad = true;
                i = skipValue(line, i);
                continue;
            }
            i++;
            while (i < n && isOws(line.charAt(i))) {
                i++;
            }
            String value;
            if (i < n && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                boolean closed = false;
                i++;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < n) {
                        c = line.charAt(i++);
                    }
                    if (sb.length() <= IpLiterals.MAX_NODE_LENGTH) {
                        sb.append(c);
                    }
                }
                bad |= !closed;
                value = sb.toString();
            } else {
                int start = i;
                i = skipValue(line, i);
                int end = i;
                while (end > start && isOws(line.charAt(end - 1))) {
                    end--;
                }
                value = end - start > IpLiterals.MAX_NODE_LENGTH ? MALFORMED : line.substring(start, end);
            }
            if (isFor) {
                bad |= forValue != null; // two for= in one element: which one is true is unknowable
                forValue = value;
            }
        }
    }

    /** Index of the next {@code ;} or {@code ,} at or after {@code i} (quotes are not expected here). */
    private static int skipValue(String line, int i) {
        int n = line.length();
        while (i < n && line.charAt(i) != ';' && line.charAt(i) != ',') {
            i++;
        }
        return i;
    }

    private static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
