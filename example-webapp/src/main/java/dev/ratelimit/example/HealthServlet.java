package dev.ratelimit.example;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.servlet.RateLimitFilter;
import dev.ratelimit.fallback.FallbackRateLimiter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /health}: which store decides ({@code redis} or {@code memory}), the circuit breaker's state
 * ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}; {@code null} without Redis), and the rules each limited endpoint
 * counts under now, after every override (the settings, the rules file). Never rate limited.
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
                    + "\"policy\":\"" + redis.config().policy() + "\"";
        } else {
            json = "{\"status\":\"UP\",\"store\":\"memory\",\"breaker\":null,\"deciding\":\"memory\"";
        }
        // the effective rules, also published by the bindings
        RuleOverrides overrides = (RuleOverrides) getServletContext().getAttribute(RuleOverrides.ATTRIBUTE);
        json += ",\"rules\":" + (overrides == null ? "null" : rules(overrides.rules())) + "}";
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"<endpoint>":[{"name":…,"limit":…,"window":"PT10S","algorithm":…,"cost":…}],…}} */
    private static String rules(Map<String, List<RateLimitRule>> byEndpoint) {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, List<RateLimitRule>> e : byEndpoint.entrySet()) {
            json.append(json.length() == 1 ? "" : ",").append(string(e.getKey())).append(":[");
            for (int i = 0; i < e.getValue().size(); i++) {
                RateLimitRule r = e.getValue().get(i);
                json.append(i == 0 ? "" : ",").append("{\"name\":").append(string(r.name()))
                        .append(",\"limit\":").append(r.limit())
                        .append(",\"window\":").append(string(r.window().toString()))
                        .append(",\"algorithm\":").append(string(r.algorithm().name()))
                        .append(",\"cost\":").append(r.cost()).append('}');
            }
            json.append(']');
        }
        return json.append('}').toString();
    }

    private static String string(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20) {
                s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
