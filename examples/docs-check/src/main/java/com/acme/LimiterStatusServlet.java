package com.acme;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.servlet.RateLimitFilter;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** GET /limiter-status: which store decides, the circuit breaker's state and the rules in force. Leave it unlimited. */
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
        // the rules each limited endpoint counts under now, after the settings' and the rules file's overrides
        RuleOverrides overrides = (RuleOverrides) getServletContext().getAttribute(RuleOverrides.ATTRIBUTE);
        if (overrides != null) {
            for (Map.Entry<String, List<RateLimitRule>> e : overrides.rules().entrySet()) {
                response.getWriter().println(e.getKey() + ": " + e.getValue());
            }
        }
    }
}
