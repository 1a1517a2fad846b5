package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.testing.ManualClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each request the shared HTTP logic decides is counted once, by limit, outcome and store — never by client. */
class RequestDeciderMetricsTest {

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InMemoryRateLimiter memory = InMemoryRateLimiter.custom().timeSource(clock).build();
    private final RateLimitRule search = RateLimitRule.custom().name("search").limit(3).window("1m")
            .algorithm(Algorithm.FIXED_WINDOW).build();

    private RequestDecider http(boolean shadow) {
        return new RequestDecider(memory, RequestKeys.custom().build(), HeaderFormat.of(HeaderStyle.BOTH), shadow,
                MicrometerMetrics.of(registry), null);
    }

    private double count(String limit, String outcome, String store) {
        Counter counter = registry.find("ratelimit.decisions")
                .tags("limit", limit, "outcome", outcome, "store", store).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void decisionsAreCountedByLimitOutcomeAndStore() {
        RequestDecider http = http(false);
        for (int i = 0; i < 5; i++) {
            http.check(List.of(search), FakeRequest.from("203.0.113.7"), null, null, "/search");
        }
        http.check(List.of(search), FakeRequest.from("203.0.113.8"), null, null, "/search");

        assertThat(count("search", "allowed", "memory")).isEqualTo(4);
        assertThat(count("search", "denied", "memory")).isEqualTo(2);
        assertThat(count("search", "shadow_denied", "memory")).isZero();
        assertThat(registry.find("ratelimit.decisions").counters()).hasSize(2);
    }

    @Test
    void shadowModeCountsWouldBeDenialsApart() {
        RequestDecider http = http(true);
        for (int i = 0; i < 5; i++) {
            http.check(List.of(search), FakeRequest.from("203.0.113.9"), null, null, "/search");
        }
        assertThat(count("search", "allowed", "memory")).isEqualTo(3);
        assertThat(count("search", "shadow_denied", "memory")).isEqualTo(2);
        assertThat(count("search", "denied", "memory")).isZero();
    }

    @Test
    void withSeveralLimitsTheMostRestrictiveNamesTheDecision() {
        RateLimitRule burst = RateLimitRule.custom().name("burst").limit(1).window("1s")
                .algorithm(Algorithm.FIXED_WINDOW).build();
        RequestDecider http = http(false);
        http.check(List.of(search, burst), FakeRequest.from("203.0.113.10"), null, null, "/search");
        http.check(List.of(search, burst), FakeRequest.from("203.0.113.10"), null, null, "/search");
        assertThat(count("burst", "allowed", "memory")).isEqualTo(1);
        assertThat(count("burst", "denied", "memory")).isEqualTo(1);
    }

    @Test
    void noTagCarriesAClientKey() {
        RequestDecider http = http(false);
        for (int i = 0; i < 50; i++) {
            http.check(List.of(search), FakeRequest.from("198.51.100." + i).principal("user-" + i), null, null, "/s");
        }
        for (Meter meter : registry.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                assertThat(tag.getValue()).doesNotContain("198.51.100").doesNotContain("user-");
            }
        }
        assertThat(registry.find("ratelimit.decisions").counters()).hasSize(1);
        assertThat(count("search", "allowed", "memory")).isEqualTo(50);
    }
}
