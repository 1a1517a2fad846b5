package dev.ratelimit.client;

import jakarta.ws.rs.ProcessingException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A request the {@link RateLimitClientFilter} did not send, because the server's last answer said the client's quota
 * is used up for longer than the filter may wait (or it fails fast). Thrown from {@code Invocation.invoke()},
 * {@code get()} and the like (Jersey passes a filter's {@link ProcessingException} through unwrapped; an asynchronous
 * invocation completes exceptionally with it).
 */
public class RateLimitedException extends ProcessingException {

    private static final long serialVersionUID = 1L;

    /** The request's URI. */
    private final URI target;
    /** How long until the server is expected to accept a request. */
    private final Duration retryAfter;
    /** The exhausted policy's name, or null when a {@code Retry-After} alone held the request back. */
    private final String policy;

    /**
     * An exception for a request not sent.
     *
     * @param target     the request's URI
     * @param retryAfter how long until the server is expected to accept a request, not negative
     * @param policy     the exhausted policy's name ({@link RateLimitState#UNNAMED} for the unnamed fields), or null
     *                   when only a {@code Retry-After} said so
     * @param cause      why waiting ended early (an interruption), or null
     */
    public RateLimitedException(URI target, Duration retryAfter, String policy, Throwable cause) {
        super(message(target, retryAfter, policy), cause);
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter is negative: " + retryAfter);
        }
        this.target = target;
        this.retryAfter = retryAfter;
        this.policy = policy;
    }

    private static String message(URI target, Duration retryAfter, String policy) {
        String which = policy == null ? "Retry-After" : policy.isEmpty() ? "the rate limit" : "policy \"" + policy + '"';
        return "Not sent: " + which + " of " + (target == null ? "the server" : target.getHost())
                + " allows the next request in " + retryAfter.toMillis() + " ms (" + target + ")";
    }

    /**
     * How long, from when the exception was thrown, until the server is expected to accept a request.
     *
     * @return the duration, not negative
     */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * The exhausted policy that held the request back.
     *
     * @return its name ({@link RateLimitState#UNNAMED} for the unnamed fields), or empty when a {@code Retry-After}
     *         alone did
     */
    public Optional<String> policy() {
        return Optional.ofNullable(policy);
    }

    /**
     * The request's URI.
     *
     * @return the URI
     */
    public URI target() {
        return target;
    }
}
