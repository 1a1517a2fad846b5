package dev.ratelimit.http;

import dev.ratelimit.core.Decision;

/**
 * Replaces the response to a request the limiter refused, in both bindings: the {@code 429} of an exhausted limit
 * and the {@code 503} of the fail-closed policy while Redis is down ({@code Decision#store()} is then
 * {@code Store.NONE}). The JAX-RS binding takes the application's HK2 binding of this type; the servlet filter the
 * class named by its init-param {@code rejectionHandler} (public, with a public no-argument constructor). Without one,
 * the standard problem document is sent.
 *
 * <p>The bindings still add the rate-limit headers, {@code Retry-After} and {@code Cache-Control: private}; the
 * handler chooses the status, content type and body only. It runs on the request thread for refused requests only
 * (never in shadow mode) and must be thread-safe. When it throws or returns null, the standard response is sent and a
 * WARN is logged. It must not echo raw request values into the body without escaping them for its content type.
 */
@FunctionalInterface
public interface RejectionHandler {

    /**
     * The response to a refused request.
     *
     * @param decision the denial, with the limits that refused it
     * @param request  the request
     * @param standard what the binding would send: the RFC 9457 {@code application/problem+json} document with
     *                 its status
     * @return the response to send: {@code standard}, or another {@link Rejection}
     */
    Rejection reject(Decision decision, RequestView request, Rejection standard);
}
