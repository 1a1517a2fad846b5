package dev.ratelimit.internal;

import dev.ratelimit.core.RateLimitRule;
import java.util.HexFormat;

/**
 * The default names of rules, made from what declares them (a resource method, a filter's name) by both bindings.
 * Not API.
 */
public final class RuleNames {

    private RuleNames() {
    }

    /**
     * A short, opaque, stable rule name for what declares a rule, so that a policy's name in the response headers does
     * not reveal the application's class and method names (draft-ietf-httpapi-ratelimit-headers, Security
     * Considerations): {@code limit-} and the first 12 hex digits (48 bits) of the text's SHA-256. Distinct texts
     * get distinct names with overwhelming probability (two among 10,000 methods collide with a chance of about
     * 2 in 10^7); the startup listing shows which method each name stands for.
     *
     * @param text what declares the rule, e.g. {@code com.acme.Api#search(String)}
     * @return a valid rule name such as {@code limit-3fa9c2d1b0e4}
     */
    public static String opaque(String text) {
        return "limit-" + HexFormat.of().formatHex(ClientKeys.sha256(text), 0, 6);
    }

    /**
     * A valid rule name from any text: anything outside visible ASCII, {@code "} and {@code \} replaced by {@code _}.
     * A name longer than {@value RateLimitRule#MAX_NAME_LENGTH} characters keeps its beginning and ends with
     * {@code ~} and 8 hex digits of the full text's SHA-256, so it stays distinct and stable.
     *
     * @param text what declares the rule, e.g. {@code com.acme.Api#search(String)} or a filter's name
     * @return a valid rule name
     */
    public static String of(String text) {
        StringBuilder name = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            name.append(c > 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        }
        if (name.length() <= RateLimitRule.MAX_NAME_LENGTH) {
            return name.toString();
        }
        return name.substring(0, RateLimitRule.MAX_NAME_LENGTH - 9) + "~"
                + HexFormat.of().formatHex(ClientKeys.sha256(text), 0, 4);
    }
}
