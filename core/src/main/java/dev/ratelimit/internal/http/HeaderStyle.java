package dev.ratelimit.internal.http;

/** Which rate-limit response headers {@link RateLimitHeaders} emits. {@code Retry-After} on a denial is always sent. */
public enum HeaderStyle {
    /** The IETF fields {@code RateLimit-Policy} and {@code RateLimit} (draft-ietf-httpapi-ratelimit-headers). */
    IETF,
    /** The widely used {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset}. */
    LEGACY,
    /** Both sets (the default). */
    BOTH,
    /** No rate-limit headers; only {@code Retry-After} on a denial. */
    NONE
}
