package dev.ratelimit.http;

/**
 * A user-supplied way to key requests, used by rules with {@link dev.ratelimit.core.KeySource#CUSTOM}. Must be
 * thread-safe and fast: it runs on every limited request.
 */
@FunctionalInterface
public interface KeyResolver {

    /**
     * The key to count this request against, e.g. a tenant id. The binding prefixes it with
     * {@code custom:}; long or unusual keys are hashed by the store.
     *
     * @param request the request being limited
     * @return the key, or null or blank when this request has none (it is then counted against its client IP)
     */
    String resolve(RequestView request);
}
