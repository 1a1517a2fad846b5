/**
 * The HTTP-agnostic request handling shared by the Jakarta REST binding and the servlet filter: a binding wraps its
 * request in a {@link dev.ratelimit.http.RequestView}, resolves the key with {@link dev.ratelimit.internal.http.RequestKeys}
 * (client IP through {@link dev.ratelimit.internal.http.TrustedProxies}), asks the limiter, and answers with
 * {@link dev.ratelimit.internal.http.RateLimitHeaders} and, on a denial, {@link dev.ratelimit.internal.http.ProblemResponse}. Global
 * settings come from {@link dev.ratelimit.internal.config.RateLimitSettings}. No Servlet or JAX-RS type is used here.
 */
package dev.ratelimit.http;
