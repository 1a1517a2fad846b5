package dev.ratelimit.internal;

/**
 * The one routine that hides passwords before a Redis address reaches a message or a log: every place that shows a
 * Redis URL or a list of Redis nodes (the builders' errors, the settings' errors and startup summary, the limiter's
 * description) goes through {@link #redisAddress(String)}. Not API.
 *
 * <p>The rule is meant to hold for any text, well-formed or not, so that a malformed URL leaks no more than a good
 * one: when the text holds an {@code @}, everything between the start of the authority (just after a scheme's
 * {@code ://} that comes before the last {@code @}, else the start of the text) and the <em>last</em> {@code @} is
 * replaced by {@value #MASK}, except a user name: the part before the first {@code :} of that span. So
 * {@code redis://app:s3cret@host:6379/0} is shown as {@code redis://app:***@host:6379/0}, the password-only
 * {@code redis://s3cret@host} as {@code redis://***@host}, {@code redis://:s3cret@[::1]:6379} as
 * {@code redis://:***@[::1]:6379}, and a password holding {@code @}, {@code /} or {@code :} is hidden whole.
 * Scheme, host, port and database stay visible. A text without {@code @} carries no credentials and is returned
 * unchanged. The cost of the rule: an {@code @} after the host (which no valid Redis URL has) hides the host too.
 */
public final class Masking {

    /** What a hidden password is shown as. */
    public static final String MASK = "***";

    private Masking() {
    }

    /**
     * A Redis URL, a {@code host:port} entry or a comma-separated list of them, with any password hidden.
     *
     * @param text the URL or node list as configured, well-formed or not; may be null
     * @return the text with everything between the authority's start and its last {@code @} but the user name
     *         replaced by {@value #MASK}; {@code "null"} for null
     */
    public static String redisAddress(String text) {
        if (text == null) {
            return "null";
        }
        int at = text.lastIndexOf('@');
        if (at < 0) {
            return text;
        }
        int scheme = text.indexOf("://");
        int start = scheme > 0 && scheme < at && isScheme(text, scheme) ? scheme + 3 : 0;
        int colon = text.indexOf(':', start);
        String user = colon >= 0 && colon < at ? text.substring(start, colon + 1) : "";
        return text.substring(0, start) + user + MASK + text.substring(at);
    }

    /** Whether {@code text} starts with a URI scheme ending at {@code end}: a letter, then letters, digits, +, -, . */
    private static boolean isScheme(String text, int end) {
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!letter && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
                return false;
            }
        }
        return true;
    }
}
