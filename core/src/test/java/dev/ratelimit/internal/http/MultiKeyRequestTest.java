package dev.ratelimit.internal.http;

import dev.ratelimit.metrics.RateLimitMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request whose rules resolve to different keys (one rule per client IP, one per {@code X-Api-Key}) is one limiter
 * call: a denial by one rule consumes nothing from the others (issue 16, defect 3), and the decision comes from one
 * store, so its status is 429 only for a limit that denied and 503 only for the DENY policy (defect 8).
 */
class MultiKeyRequestTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();
    private final RateLimitRule perIp = RateLimitRule.custom().name("per-ip").limit(5).window("1m")
            .key(KeySource.IP).build();
    private final RateLimitRule perApiKey = RateLimitRule.custom().name("per-key").limit(2).window("1m")
            .key(KeySource.HEADER).keyHeader("X-Api-Key").build();
    private final String prefix = "mk-" + UUID.randomUUID();
    private RateLimiter limiter;

    @AfterEach
    void close() {
        if (limiter != null) {
            limiter.close();
        }
    }

    /** The stores a request-path limiter may sit on. */
    enum Setup {
        MEMORY, REDIS, FALLBACK_CLOSED, FALLBACK_OPEN
    }

    private RateLimiter limiter(Setup setup) {
        switch (setup) {
            case MEMORY:
                return InMemoryRateLimiter.custom().timeSource(clock).build();
            case REDIS:
                return redis(0);
            case FALLBACK_CLOSED:
                return fallback(redis(0), FailurePolicy.FALLBACK);
            case FALLBACK_OPEN:
                FallbackRateLimiter open = fallback(redis(0), FailurePolicy.FALLBACK);
                open.circuitBreaker().transitionToOpenState();
                return open;
            default:
                throw new AssertionError(setup);
        }
    }

    private RedisRateLimiter redis(long denialCache) {
        return RedisRateLimiter.custom().uri(RedisServer.shared().uri()).timeout(Duration.ofSeconds(2))
                .keyPrefix(prefix).timeSource(clock).denialCache(denialCache).build();
    }

    private FallbackRateLimiter fallback(RedisRateLimiter primary, FailurePolicy policy) {
        return fallback(primary, policy, 0);
    }

    private FallbackRateLimiter fallback(RedisRateLimiter primary, FailurePolicy policy, long denialCache) {
        return FallbackRateLimiter.custom().primary(primary).timeSource(clock).denialCache(denialCache)
                .config(FallbackConfig.custom().policy(policy).waitDurationInOpenState(WAIT)
                        .permittedCallsInHalfOpenState(1).build())
                .build();
    }

    private static FakeRequest request(String ip, String apiKey) {
        return FakeRequest.from(ip).header("X-Api-Key", apiKey);
    }

    private static RuleOutcome state(Decision decision, RateLimitRule rule) {
        return decision.limits().stream().filter(s -> s.rule().name().equals(rule.name())).findFirst()
                .orElseThrow();
    }

    private static Store expectedStore(Setup setup) {
        switch (setup) {
            case MEMORY:
                return Store.MEMORY;
            case FALLBACK_OPEN:
                return Store.FALLBACK;
            default:
                return Store.REDIS;
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aFloodWithAnExhaustedApiKeyLeavesTheIpBudgetUntouched(Setup setup) {
        limiter = limiter(setup);
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), false, RateLimitMetrics.none(), null);
        List<RateLimitRule> rules = List.of(perIp, perApiKey);
        FakeRequest exhausted = request("203.0.113.20", "k-1");
        for (int i = 0; i < 2; i++) {
            RequestDecider.Verdict v = http.check(rules, exhausted, null, null, "/m");
            assertThat(v.reject()).as("request %d", i).isFalse();
            assertThat(v.decision().store()).isEqualTo(expectedStore(setup));
        }
        for (int i = 0; i < 20; i++) {
            RequestDecider.Verdict v = http.check(rules, exhausted, null, null, "/m");
            assertThat(v.reject()).isTrue();
            assertThat(v.rejection().status()).isEqualTo(429);
            assertThat(v.decision().store()).isEqualTo(expectedStore(setup));
            assertThat(v.decision().reported().rule()).isEqualTo(perApiKey);
            assertThat(state(v.decision(), perIp).remaining()).as("IP permits left after denial %d", i).isEqualTo(3);
        }
        // the same client with another API key still has the three IP permits the two admitted requests left
        for (int i = 0; i < 2; i++) {
            RequestDecider.Verdict v = http.check(rules, request("203.0.113.20", "k-" + (2 + i)), null, null, "/m");
            assertThat(v.reject()).isFalse();
            assertThat(state(v.decision(), perIp).remaining()).isEqualTo(2 - i);
        }
    }

    @Test
    void rulesOfOneKeyStayOneCallOnTheOneKeyPath() {
        limiter = InMemoryRateLimiter.custom().timeSource(clock).build();
        RequestDecider http = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), false, RateLimitMetrics.none(), null);
        RateLimitRule perIpPerHour = RateLimitRule.custom().name("per-ip-hour").limit(3).window("1h")
                .key(KeySource.IP).build();
        FakeRequest r = FakeRequest.from("203.0.113.21"); // no API key: the header rule falls back to the IP
        for (int i = 0; i < 2; i++) {
            assertThat(http.check(List.of(perIp, perApiKey, perIpPerHour), r, null, null, "/m").reject()).isFalse();
        }
        RequestDecider.Verdict third = http.check(List.of(perIp, perApiKey, perIpPerHour), r, null, null, "/m");
        assertThat(third.reject()).isTrue();
        assertThat(third.decision().limits()).extracting(s -> s.rule().name())
                .containsExactly("per-ip", "per-key", "per-ip-hour");
        assertThat(state(third.decision(), perIp).remaining()).isEqualTo(3);
    }

    /**
     * Defect 8. The client's API key was exhausted in Redis through an endpoint limited by the API key alone, and
     * that denial sits in the local denial cache; then Redis fails and the breaker opens. A request limited by IP and
     * by API key is decided by the failure policy as a whole, in either order of the rules: under ALLOW it passes
     * (fail open, nothing counted, store NONE), under DENY it gets 503 (store NONE). Before, each key group was its
     * own call: the API-key group's cached Redis denial and the IP group's policy answer were merged under the
     * first group's store, giving 503 under ALLOW or 429 under DENY.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ALLOW,ip-first", "ALLOW,key-first", "DENY,ip-first", "DENY,key-first"})
    void withAnOpenBreakerThePolicyDecidesTheWholeRequest(String policyAndOrder) {
        FailurePolicy policy = FailurePolicy.valueOf(policyAndOrder.split(",")[0]);
        List<RateLimitRule> rules = policyAndOrder.endsWith("ip-first") ? List.of(perIp, perApiKey)
                : List.of(perApiKey, perIp);
        try (RedisServer redis = RedisServer.start()) {
            RedisRateLimiter primary = RedisRateLimiter.custom().uri(redis.uri()).timeout(Duration.ofSeconds(2))
                    .timeSource(clock).build();
            FallbackRateLimiter fallback = fallback(primary, policy, 100);
            limiter = fallback;
            RequestDecider http = new RequestDecider(fallback, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), false, RateLimitMetrics.none(), null);
            FakeRequest request = request("203.0.113.30", "k-9");
            for (int i = 0; i < 2; i++) {
                assertThat(http.check(List.of(perApiKey), request, null, null, "/key-only").reject()).isFalse();
            }
            RequestDecider.Verdict exhausted = http.check(List.of(perApiKey), request, null, null, "/key-only");
            assertThat(exhausted.rejection().status()).isEqualTo(429);
            assertThat(exhausted.decision().store()).isEqualTo(Store.REDIS);

            redis.kill();
            fallback.circuitBreaker().transitionToOpenState();

            // the one-key path still serves the cached Redis denial (unchanged)
            RequestDecider.Verdict cached = http.check(List.of(perApiKey), request, null, null, "/key-only");
            assertThat(cached.rejection().status()).isEqualTo(429);
            assertThat(cached.decision().store()).isEqualTo(Store.REDIS);

            RequestDecider.Verdict v = http.check(rules, request, null, null, "/both");
            assertThat(v.decision().store()).isEqualTo(Store.NONE);
            assertThat(v.decision().limits()).hasSize(2)
                    .allSatisfy(s -> assertThat(s.allowed()).isEqualTo(policy == FailurePolicy.ALLOW));
            if (policy == FailurePolicy.ALLOW) {
                assertThat(v.reject()).isFalse();
            } else {
                assertThat(v.reject()).isTrue();
                assertThat(v.rejection().status()).isEqualTo(503);
                assertThat(v.decision().retryAfter()).isEqualTo(WAIT);
            }
        }
    }

    /**
     * A half-open breaker with one trial call: the request is that one call, decided by Redis as a whole (here:
     * admitted), and its success closes the breaker. (Per key group, a group refused by a half-open breaker whose
     * trial calls other requests hold would be denied by the DENY policy beside a Redis answer, the defect-8 merge.)
     */
    @Test
    void aHalfOpenBreakersTrialCallDecidesTheWholeRequest() {
        FallbackRateLimiter fallback = fallback(redis(0), FailurePolicy.DENY);
        limiter = fallback;
        RequestDecider http = new RequestDecider(fallback, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), false, RateLimitMetrics.none(), null);
        fallback.circuitBreaker().transitionToOpenState();
        clock.advance(WAIT.plusMillis(1));
        fallback.circuitBreaker().transitionToHalfOpenState();

        RequestDecider.Verdict v = http.check(List.of(perIp, perApiKey), request("203.0.113.40", "k-40"), null, null, "/m");
        assertThat(v.reject()).isFalse();
        assertThat(v.decision().store()).isEqualTo(Store.REDIS);
        assertThat(v.decision().limits()).extracting(RuleOutcome::remaining).containsExactly(4L, 1L);
        assertThat(fallback.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /** Under FALLBACK with an open breaker, a limit that denies is a real denial: 429 from the fallback store. */
    @Test
    void theFallbacksRealDenialIsA429() {
        FallbackRateLimiter fallback = fallback(redis(0), FailurePolicy.FALLBACK);
        limiter = fallback;
        fallback.circuitBreaker().transitionToOpenState();
        RequestDecider http = new RequestDecider(fallback, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), false, RateLimitMetrics.none(), null);
        FakeRequest request = request("203.0.113.50", "k-50");
        http.check(List.of(perIp, perApiKey), request, null, null, "/m");
        http.check(List.of(perIp, perApiKey), request, null, null, "/m");
        RequestDecider.Verdict denied = http.check(List.of(perIp, perApiKey), request, null, null, "/m");
        assertThat(denied.rejection().status()).isEqualTo(429);
        assertThat(denied.decision().store()).isEqualTo(Store.FALLBACK);
    }
}
