package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemResponseTest {

    private final RateLimitRule search = RateLimitRule.custom().name("search").limit(100).window("1m").build();
    private final Decision denied = Decision.of(Store.REDIS,
            List.of(new RuleOutcome(search, false, 0, 40_000_000, 6_200_000)));

    @Test
    void deniedDecision() {
        assertThat(ProblemResponse.status(denied)).isEqualTo(429);
        assertThat(ProblemResponse.contentType()).isEqualTo("application/problem+json");
        assertThat(ProblemResponse.body(denied, "/api/search")).isEqualTo("{"
                + "\"type\":\"https://ratelimit.dev/problems/rate-limited\","
                + "\"title\":\"Too Many Requests\","
                + "\"status\":429,"
                + "\"detail\":\"Rate limit \\\"search\\\" of 100 per 1m exceeded; retry in 7 s.\","
                + "\"instance\":\"/api/search\","
                + "\"retryAfter\":7}");
        assertThat(ProblemResponse.body(denied, null)).isEqualTo("{"
                + "\"type\":\"https://ratelimit.dev/problems/rate-limited\","
                + "\"title\":\"Too Many Requests\","
                + "\"status\":429,"
                + "\"detail\":\"Rate limit \\\"search\\\" of 100 per 1m exceeded; retry in 7 s.\","
                + "\"retryAfter\":7}");
    }

    @Test
    void detailShowsTheWindowAsWrittenInRules() {
        RateLimitRule odd = RateLimitRule.custom().name("a.b#c").limit(5).window("1500ms").build();
        Decision d = Decision.of(Store.MEMORY, List.of(new RuleOutcome(odd, false, 0, 1_500_000, 300_000)));
        assertThat(ProblemResponse.body(d, null)).contains(
                "\"detail\":\"Rate limit \\\"a.b#c\\\" of 5 per 1500ms exceeded; retry in 1 s.\"",
                "\"retryAfter\":1}");
        RateLimitRule daily = RateLimitRule.custom().name("d").limit(5).window("PT48H").build();
        Decision d2 = Decision.of(Store.MEMORY, List.of(new RuleOutcome(daily, false, 0, 1, 1)));
        assertThat(ProblemResponse.body(d2, null)).contains("of 5 per 2d exceeded");
    }

    @Test
    void instanceIsEscaped() {
        String path = "/a\"b\\c\n\r\t\b\f\u0001\u001f/é/\u2028/😀/\ud800x";
        assertThat(ProblemResponse.body(denied, path)).contains(
                "\"instance\":\"/a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f/é/\\u2028/😀/\\ud800x\",");
    }

    @Test
    void failClosedIsServiceUnavailable() {
        Decision d = Decision.of(Store.NONE, List.of(new RuleOutcome(search, false, 0, 0, 5_000_000)));
        assertThat(ProblemResponse.status(d)).isEqualTo(503);
        assertThat(ProblemResponse.body(d, "/api/search")).isEqualTo("{"
                + "\"type\":\"https://ratelimit.dev/problems/rate-limiter-unavailable\","
                + "\"title\":\"Service Unavailable\","
                + "\"status\":503,"
                + "\"detail\":\"The rate limiter is temporarily unavailable; retry in 5 s.\","
                + "\"instance\":\"/api/search\","
                + "\"retryAfter\":5}");
    }

    @Test
    void allowedDecisionHasNoProblem() {
        Decision allowed = Decision.of(Store.REDIS, List.of(new RuleOutcome(search, true, 1, 1, 0)));
        assertThatThrownBy(() -> ProblemResponse.status(allowed)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProblemResponse.body(allowed, "/")).isInstanceOf(IllegalArgumentException.class);
    }
}
