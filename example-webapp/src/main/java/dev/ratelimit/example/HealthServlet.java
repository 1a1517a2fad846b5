package dev.ratelimit.example;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.servlet.RateLimitFilter;
import dev.ratelimit.fallback.FallbackRateLimiter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health}: which store decides ({@code redis} or {@code memory}) and the circuit breaker's state
 * ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}; {@code null} without Redis). Never rate limited.
 */
public class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // the web application's one limiter, published by the rate-limit bindings
        RateLimiter limiter = (RateLimiter) getServletContext().getAttribute(RateLimitFilter.LIMITER_ATTRIBUTE);
        String json;
        if (limiter instanceof FallbackRateLimiter) {
            FallbackRateLimiter redis = (FallbackRateLimiter) limiter;
            String breaker = redis.state().name();
            json = "{\"status\":\"UP\",\"store\":\"redis\",\"breaker\":\"" + breaker + "\",\"deciding\":\""
                    + ("CLOSED".equals(breaker) || "HALF_OPEN".equals(breaker) ? "redis" : "fallback") + "\","
                    + "\"policy\":\"" + redis.config().policy() + "\"}";
        } else {
            json = "{\"status\":\"UP\",\"store\":\"memory\",\"breaker\":null,\"deciding\":\"memory\"}";
        }
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    }
}
