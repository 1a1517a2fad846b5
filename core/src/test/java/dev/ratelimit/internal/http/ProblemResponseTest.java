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
                + "\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\","
                + "\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\","
                + "\"status\":429,"
                + "\"detail\":\"Rate limit \\\"search\\\" of 100 per 1m exceeded; retry in 7 s.\","
                + "\"instance\":\"/api/search\","
                + "\"violated-policies\":[\"search\"],"
                + "\"retryAfter\":7}");
        assertThat(ProblemResponse.body(denied, null)).isEqualTo("{"
                + "\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\","
                + "\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\","
                + "\"status\":429,"
                + "\"detail\":\"Rate limit \\\"search\\\" of 100 per 1m exceeded; retry in 7 s.\","
                + "\"violated-policies\":[\"search\"],"
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
                + "\"type\":\"https://iana.org/assignments/http-problem-types#temporary-reduced-capacity\","
                + "\"title\":\"Request cannot be satisfied due to temporary server capacity constraints\","
                + "\"status\":503,"
                + "\"detail\":\"The rate limiter is temporarily unavailable; retry in 5 s.\","
                + "\"instance\":\"/api/search\","
                + "\"violated-policies\":[\"search\"],"
                + "\"retryAfter\":5}");
    }

    @Test
    void violatedPoliciesAreTheRulesThatDenied() {
        RateLimitRule minute = RateLimitRule.custom().name("per-minute").limit(10).window("1m").build();
        RateLimitRule day = RateLimitRule.custom().name("per-day").limit(1000).window("1d").build();
        RateLimitRule hour = RateLimitRule.custom().name("hour").limit(100).window("1h").build();
        Decision d = Decision.of(Store.REDIS, List.of(new RuleOutcome(minute, false, 0, 1, 1_000_000),
                new RuleOutcome(hour, true, 50, 1, 0), new RuleOutcome(day, false, 0, 1, 9_000_000)));
        assertThat(ProblemResponse.body(d, null)).contains("\"violated-policies\":[\"per-minute\",\"per-day\"],");
        Decision unavailable = Decision.of(Store.NONE, List.of(new RuleOutcome(minute, false, 0, 0, 5_000_000),
                new RuleOutcome(hour, false, 0, 0, 5_000_000)));
        assertThat(ProblemResponse.body(unavailable, null)).as("none could be checked: all are named")
                .contains("\"violated-policies\":[\"per-minute\",\"hour\"],");
    }

    @Test
    void allowedDecisionHasNoProblem() {
        Decision allowed = Decision.of(Store.REDIS, List.of(new RuleOutcome(search, true, 1, 1, 0)));
        assertThatThrownBy(() -> ProblemResponse.status(allowed)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProblemResponse.body(allowed, "/")).isInstanceOf(IllegalArgumentException.class);
    }
}
