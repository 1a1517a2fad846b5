/**
 * Servlet binding: {@link dev.ratelimit.servlet.RateLimitFilter}, a {@code jakarta.servlet.Filter} that enforces rate
 * limits declared as {@code init-param}s in {@code web.xml}, for servlets, static content and frameworks other than
 * JAX-RS. The request-path logic (keys, counting, headers, 429/503 problem responses, shadow mode) is the core's
 * {@link dev.ratelimit.internal.http.RequestDecider}, the same the JAX-RS binding calls; this package only parses the
 * init-params, shares one limiter per servlet context and adapts the servlet request and response.
 */
package dev.ratelimit.servlet;
