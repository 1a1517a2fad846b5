package dev.ratelimit.core;

import dev.ratelimit.internal.HttpTokens;

/** The checks of a {@link RateLimitRule}'s values, each failing with a message that names the value. */
final class RuleChecks {

    private RuleChecks() {
    }

    static String name(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (name.length() > RateLimitRule.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name '" + name.substring(0, 40) + "…' is longer than "
                    + RateLimitRule.MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
                throw new IllegalArgumentException("name '" + name
                        + "' may only hold visible ASCII characters other than '\"' and '\\'");
            }
        }
        return name;
    }

    static long limit(long limit, Algorithm algorithm) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be greater than 0, was " + limit);
        }
        if (limit > RateLimitRule.MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is above the largest supported limit, "
                    + RateLimitRule.MAX_LIMIT + " (2^31 - 1)");
        }
        if (algorithm == Algorithm.SLIDING_WINDOW_LOG && limit > RateLimitRule.MAX_LOG_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is above " + RateLimitRule.MAX_LOG_LIMIT
                    + ", the largest limit of SLIDING_WINDOW_LOG (one stored entry per permit); use "
                    + "SLIDING_WINDOW_COUNTER, TOKEN_BUCKET or GCRA for high limits");
        }
        return limit;
    }

    /** The header a HEADER key is read from, trimmed; {@code ""} for the other key sources. */
    static String keyHeader(KeySource keySource, String keyHeader) {
        String header = keyHeader == null ? "" : keyHeader.trim();
        if (keySource == KeySource.HEADER && header.isEmpty()) {
            throw new IllegalArgumentException("key HEADER needs a keyHeader naming the header");
        }
        if (keySource != KeySource.HEADER && !header.isEmpty()) {
            throw new IllegalArgumentException("keyHeader '" + header + "' is only used with key HEADER, not with key "
                    + keySource);
        }
        if (!header.isEmpty() && !HttpTokens.isToken(header)) {
            throw new IllegalArgumentException("keyHeader '" + header + "' is not a valid HTTP header name");
        }
        return header;
    }

    static int cost(int cost, long limit) {
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be at least 1, was " + cost);
        }
        if (cost > limit) {
            throw new IllegalArgumentException("cost " + cost + " is above the limit " + limit
                    + ": a request of that cost could never pass");
        }
        return cost;
    }
}
