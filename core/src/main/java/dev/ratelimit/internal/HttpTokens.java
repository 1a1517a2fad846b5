package dev.ratelimit.internal;

/** HTTP tokens (RFC 9110 section 5.6.2), the syntax of header names and media types: one check for every place. */
public final class HttpTokens {

    private HttpTokens() {
    }

    /**
     * {@return whether {@code c} is an RFC 9110 {@code tchar}: visible ASCII but the delimiters}
     *
     * @param c a character
     */
    public static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /**
     * {@return whether {@code text} is a non-empty token, such as a header name}
     *
     * @param text the text, may be null
     */
    public static boolean isToken(String text) {
        return text != null && !text.isEmpty() && text.chars().allMatch(HttpTokens::isTokenChar);
    }
}
