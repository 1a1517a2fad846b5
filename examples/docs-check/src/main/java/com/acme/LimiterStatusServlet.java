package com.acme;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.servlet.RateLimitFilter;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** GET /limiter-status: which store decides and the circuit breaker's state. Leave it unlimited. */
@WebServlet("/limiter-status")
public class LimiterStatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // the web application's one limiter, published by whichever binding started first
        RateLimiter limiter = (RateLimiter) getServletContext().getAttribute(RateLimitFilter.LIMITER_ATTRIBUTE);
        String status;
        if (limiter == null) {
            status = "no limiter yet: no binding has started";
        } else if (limiter instanceof FallbackRateLimiter) {
            FallbackRateLimiter redis = (FallbackRateLimiter) limiter;
            status = "redis, breaker " + redis.state()             // CLOSED, OPEN or HALF_OPEN
                    + ", policy " + redis.config().policy()         // FALLBACK, ALLOW or DENY
                    + ", instance count " + redis.config().instanceCount();
        } else {
            status = "memory (limits per instance): " + limiter;
        }
        response.setContentType("text/plain");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().println(status);
    }
}
