package dev.ratelimit.internal.http;

import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.Rejection;
import dev.ratelimit.metrics.RateLimitMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestDeciderTest {

    private final ManualClock clock = new ManualClock();
    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();
    private final RateLimitRule perIp = RateLimitRule.custom().name("api").limit(2).window("10s").build();

    @Test
    void rejectsWith429HeadersAndProblemBody() {
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), false, RateLimitMetrics.none(), null);
        FakeRequest request = FakeRequest.from("203.0.113.7");
        assertThat(http.check(List.of(perIp), request, null, null, "/a").reject()).isFalse();
        RequestDecider.Verdict second = http.check(List.of(perIp), request, null, null, "/a");
        assertThat(second.reject()).isFalse();
        assertThat(second.headers()).contains(new RateLimitHeaders.Header("X-RateLimit-Remaining", "0"));
        RequestDecider.Verdict third = http.check(List.of(perIp), request, null, null, "/a");
        assertThat(third.reject()).isTrue();
        assertThat(third.rejection().status()).isEqualTo(429);
        assertThat(third.headers()).contains(new RateLimitHeaders.Header("Retry-After", "5"),
                new RateLimitHeaders.Header("RateLimit", "\"api\";r=0;t=5"));
        assertThat(third.rejection().body()).contains("\"status\":429").contains("\"instance\":\"/a\"");
        // another client is counted apart
        assertThat(http.check(List.of(perIp), FakeRequest.from("203.0.113.8"), null, null, "/a").reject()).isFalse();
    }

    @Test
    void shadowModeReportsButNeverRejects() {
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.LEGACY), true, RateLimitMetrics.none(), null);
        FakeRequest request = FakeRequest.from("203.0.113.9");
        for (int i = 0; i < 2; i++) {
            assertThat(http.check(List.of(perIp), request, null, null, "/s").reject()).isFalse();
        }
        RequestDecider.Verdict shadowDenied = http.check(List.of(perIp), request, null, null, "/s");
        assertThat(shadowDenied.decision().allowed()).isFalse();
        assertThat(shadowDenied.reject()).isFalse();
        assertThat(shadowDenied.rejection()).isNull();
        assertThat(shadowDenied.headers()).extracting(RateLimitHeaders.Header::name)
                .containsExactly("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset");
    }

    @Test
    void rulesWithDifferentKeysAreCountedPerKey() {
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.IETF), false, RateLimitMetrics.none(), null);
        RateLimitRule perApiKey = RateLimitRule.custom().name("key").limit(1).window("1m").key(KeySource.HEADER)
                .keyHeader("X-Api-Key").build();
        FakeRequest request = FakeRequest.from("203.0.113.10").header("X-Api-Key", "k-1");
        RequestDecider.Verdict first = http.check(List.of(perIp, perApiKey), request, null, null, "/m");
        assertThat(first.reject()).isFalse();
        assertThat(first.decision().limits()).hasSize(2);
        assertThat(first.headers()).contains(new RateLimitHeaders.Header("RateLimit-Policy",
                "\"api\";q=2;w=10, \"key\";q=1;w=60"));
        RequestDecider.Verdict second = http.check(List.of(perIp, perApiKey), request, null, null, "/m");
        assertThat(second.reject()).isTrue();
        assertThat(second.decision().reported().rule()).isEqualTo(perApiKey);
    }

    @Test
    void theApplicationsRejectionHandlerAnswersRefusalsAndAFaultyOneFallsBackToTheStandardProblem() {
        InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().build();
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), false,
                RateLimitMetrics.none(), null);
        RateLimitRule rule = RateLimitRule.custom().name("h").limit(1).window("1h").build();
        RejectionHandler teapot = (d, r, standard) -> new Rejection(418, "text/plain", "tea " + standard.status());
        assertThat(http.check(List.of(rule), FakeRequest.from("203.0.113.60"), null, teapot, "/h").reject())
                .isFalse();
        RequestDecider.Verdict own = http.check(List.of(rule), FakeRequest.from("203.0.113.60"), null, teapot, "/h");
        assertThat(own.rejection()).isEqualTo(new Rejection(418, "text/plain", "tea 429"));
        assertThat(own.headers()).extracting(RateLimitHeaders.Header::name).contains("Retry-After");

        RequestDecider.Verdict standard = http.check(List.of(rule), FakeRequest.from("203.0.113.60"), null, null,
                "/h");
        for (RejectionHandler faulty : List.<RejectionHandler>of((d, r, s) -> null, (d, r, s) -> {
            throw new IllegalStateException("faulty");
        })) {
            RequestDecider.Verdict v = http.check(List.of(rule), FakeRequest.from("203.0.113.60"), null, faulty,
                    "/h");
            assertThat(v.rejection()).isEqualTo(standard.rejection());
            assertThat(v.rejection().contentType()).isEqualTo("application/problem+json");
        }
    }

    @Test
    void inShadowModeTheHandlerIsNeverAsked() {
        RequestDecider http = new RequestDecider(InMemoryRateLimiter.custom().build(), RequestKeys.ofDefaults(),
                HeaderFormat.of(HeaderStyle.BOTH), true, RateLimitMetrics.none(), null);
        RateLimitRule rule = RateLimitRule.custom().name("s").limit(1).window("1h").build();
        RejectionHandler never = (d, r, s) -> {
            throw new AssertionError("asked in shadow mode");
        };
        for (int i = 0; i < 3; i++) {
            assertThat(http.check(List.of(rule), FakeRequest.from("203.0.113.61"), null, never, "/s").rejection())
                    .isNull();
        }
    }
}
