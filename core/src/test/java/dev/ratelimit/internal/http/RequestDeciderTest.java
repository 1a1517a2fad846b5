package dev.ratelimit.internal.http;

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
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderStyle.BOTH, false, RateLimitMetrics.none());
        FakeRequest request = FakeRequest.from("203.0.113.7");
        assertThat(http.check(List.of(perIp), request, null, "/a").reject()).isFalse();
        RequestDecider.Verdict second = http.check(List.of(perIp), request, null, "/a");
        assertThat(second.reject()).isFalse();
        assertThat(second.headers()).contains(new RateLimitHeaders.Header("X-RateLimit-Remaining", "0"));
        RequestDecider.Verdict third = http.check(List.of(perIp), request, null, "/a");
        assertThat(third.reject()).isTrue();
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.headers()).contains(new RateLimitHeaders.Header("Retry-After", "5"),
                new RateLimitHeaders.Header("RateLimit", "\"api\";r=0;t=5"));
        assertThat(third.body()).contains("\"status\":429").contains("\"instance\":\"/a\"");
        // another client is counted apart
        assertThat(http.check(List.of(perIp), FakeRequest.from("203.0.113.8"), null, "/a").reject()).isFalse();
    }

    @Test
    void shadowModeReportsButNeverRejects() {
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderStyle.LEGACY, true, RateLimitMetrics.none());
        FakeRequest request = FakeRequest.from("203.0.113.9");
        for (int i = 0; i < 2; i++) {
            assertThat(http.check(List.of(perIp), request, null, "/s").reject()).isFalse();
        }
        RequestDecider.Verdict shadowDenied = http.check(List.of(perIp), request, null, "/s");
        assertThat(shadowDenied.decision().allowed()).isFalse();
        assertThat(shadowDenied.reject()).isFalse();
        assertThat(shadowDenied.body()).isNull();
        assertThat(shadowDenied.headers()).extracting(RateLimitHeaders.Header::name)
                .containsExactly("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset");
    }

    @Test
    void rulesWithDifferentKeysAreCountedPerKey() {
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderStyle.IETF, false, RateLimitMetrics.none());
        RateLimitRule perApiKey = RateLimitRule.custom().name("key").limit(1).window("1m").key(KeySource.HEADER)
                .keyHeader("X-Api-Key").build();
        FakeRequest request = FakeRequest.from("203.0.113.10").header("X-Api-Key", "k-1");
        RequestDecider.Verdict first = http.check(List.of(perIp, perApiKey), request, null, "/m");
        assertThat(first.reject()).isFalse();
        assertThat(first.decision().limits()).hasSize(2);
        assertThat(first.headers()).contains(new RateLimitHeaders.Header("RateLimit-Policy",
                "\"api\";q=2;w=10, \"key\";q=1;w=60"));
        RequestDecider.Verdict second = http.check(List.of(perIp, perApiKey), request, null, "/m");
        assertThat(second.reject()).isTrue();
        assertThat(second.decision().reported().rule()).isEqualTo(perApiKey);
    }
}
