package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An operator changes a limit of the unchanged WAR through the environment, as docs/plans.md "Overrides by rule name"
 * says: {@code RATELIMIT_RULES_FIXED_WINDOW_LIMIT=7} makes {@code /api/algorithms/fixed-window} (declared 5 per 10 s)
 * allow 7, and the startup listing shows the effective rule.
 */
class RuleOverridesIT {

    @Test
    void anEnvironmentVariableOverridesTheDeclaredLimitAtStartup() throws Exception {
        try (ExampleProcess jetty = ExampleProcess.start(Map.of("ratelimit.trusted-proxies", "127.0.0.1, ::1"),
                Map.of("RATELIMIT_RULES_FIXED_WINDOW_LIMIT", "7"))) {
            assertThat(jetty.output()).as("the startup listing shows the effective rule")
                    .anyMatch(line -> line.contains("fixed-window[7 per PT10S, FIXED_WINDOW"));
            List<Integer> statuses = new ArrayList<>();
            String policy = null;
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> r = Http.get(jetty.uri("/api/algorithms/fixed-window"),
                        "X-Forwarded-For", "198.51.100.77");
                statuses.add(r.statusCode());
                policy = r.headers().firstValue("RateLimit-Policy").orElse(null);
            }
            assertThat(policy).isEqualTo("\"fixed-window\";q=7;w=10");
            // a fixed window of 10 s: the eight requests may straddle a window's end, so count the refusals only
            // among the first eight of one window: at most one 429, and never before the seventh request
            assertThat(statuses.subList(0, 7)).as("seven pass where five were declared").containsOnly(200);
        }
    }
}
