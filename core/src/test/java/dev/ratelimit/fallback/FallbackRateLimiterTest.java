package dev.ratelimit.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fallback limiter against a real Redis process that the test kills and restarts. Time is a {@link ManualClock}:
 * it drives the limiters and the breaker's open-state wait, so nothing sleeps.
 */
class FallbackRateLimiterTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();
    private RedisServer redis;
    private FallbackRateLimiter limiter;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() {
        if (limiter != null) {
            limiter.close();
        }
        redis.close();
    }

    private FallbackRateLimiter limiter(FallbackConfig.Builder config) {
        RedisRateLimiter primary = RedisRateLimiter.custom().uri(redis.uri()).timeout(Duration.ofMillis(500))
                .timeSource(clock).build();
        limiter = FallbackRateLimiter.custom().primary(primary).timeSource(clock)
                .config(config.minimumNumberOfCalls(2).slidingWindowSize(4).waitDurationInOpenState(WAIT)
                        .permittedCallsInHalfOpenState(2).build())
                .build();
        return limiter;
    }

    private static RateLimitRule rule(Algorithm algorithm, long limit) {
        return RateLimitRule.custom().name("api").limit(limit).window("1m").algorithm(algorithm).build();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void fallsBackWhileRedisIsDownAndReturnsToRedisWhenItIsBack(Algorithm algorithm) {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom());
        RateLimitRule rule = rule(algorithm, 5);

        for (int i = 0; i < 3; i++) {
            Decision d = limiter.acquire("alice", rule);
            assertThat(d.store()).isEqualTo(Store.REDIS);
            assertThat(d.allowed()).isTrue();
        }
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);

        redis.kill();
        // the fallback starts empty and counts every request it decides, including the two that tripped the breaker
        for (int i = 0; i < 5; i++) {
            Decision d = limiter.acquire("alice", rule);
            assertThat(d.store()).isEqualTo(Store.FALLBACK);
            assertThat(d.allowed()).as("fallback request %d", i).isTrue();
            assertThat(d.remaining()).isEqualTo(4 - i);
        }
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);
        Decision denied = limiter.acquire("alice", rule);
        assertThat(denied.store()).isEqualTo(Store.FALLBACK);
        assertThat(denied.allowed()).isFalse();
        assertThat(limiter.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(2);

        redis.restart();
        // still open: no call reaches Redis until the wait is over
        assertThat(limiter.acquire("alice", rule).store()).isEqualTo(Store.FALLBACK);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);

        clock.advance(WAIT.plusMillis(1)); // Resilience4j probes once the wait is strictly over
        Decision probe = limiter.acquire("alice", rule);
        assertThat(probe.store()).isEqualTo(Store.REDIS);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(limiter.acquire("alice", rule).store()).isEqualTo(Store.REDIS);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        // the restarted Redis has an empty dataset: these were its first two permits
        assertThat(limiter.acquire("alice", rule).remaining()).isEqualTo(2);
    }

    @Test
    void failedProbeOpensTheBreakerAgain() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom());
        RateLimitRule rule = rule(Algorithm.TOKEN_BUCKET, 100);
        redis.kill();
        limiter.acquire("k", rule);
        limiter.acquire("k", rule);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);
        clock.advance(WAIT.plusMillis(1)); // Resilience4j probes once the wait is strictly over
        assertThat(limiter.acquire("k", rule).store()).isEqualTo(Store.FALLBACK);
        assertThat(limiter.acquire("k", rule).store()).isEqualTo(Store.FALLBACK);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void allowPolicyFailsOpenWithoutCounting() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom().policy(FailurePolicy.ALLOW));
        RateLimitRule rule = rule(Algorithm.FIXED_WINDOW, 2);
        redis.kill();
        for (int i = 0; i < 10; i++) {
            Decision d = limiter.acquire("k", rule);
            assertThat(d.allowed()).isTrue();
            assertThat(d.store()).isEqualTo(Store.NONE);
            assertThat(d.remaining()).isEqualTo(2);
        }
    }

    @Test
    void denyPolicyFailsClosed() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom().policy(FailurePolicy.DENY));
        RateLimitRule rule = rule(Algorithm.GCRA, 100);
        assertThat(limiter.acquire("k", rule).allowed()).isTrue();
        redis.kill();
        for (int i = 0; i < 5; i++) {
            Decision d = limiter.acquire("k", rule);
            assertThat(d.allowed()).isFalse();
            assertThat(d.store()).isEqualTo(Store.NONE);
            assertThat(d.retryAfter()).isEqualTo(WAIT);
        }
    }

    @Test
    void instanceShareDividesTheFallbackLimitRoundingUp() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom().instanceCount(3));
        RateLimitRule rule = rule(Algorithm.SLIDING_WINDOW_LOG, 10);
        redis.kill();
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            Decision d = limiter.acquire("k", rule);
            if (d.allowed()) {
                allowed++;
                assertThat(d.limit()).isEqualTo(4);
            }
        }
        assertThat(allowed).isEqualTo(4);
    }

    /**
     * Issue 16, defect 4: the instance share divided the limit but kept the cost, so with limit 10, cost 6 and three
     * instances (share 4) no request could ever pass while Redis was down. The share keeps the rule's rate per
     * instance (10 / 3 permits a minute) with a limit that fits the cost: 6 permits per 108 s.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void instanceShareAdmitsACostAboveTheDividedLimit(Algorithm algorithm) {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom().instanceCount(3));
        RateLimitRule rule = RateLimitRule.custom().name("costly").limit(10).window("1m").algorithm(algorithm)
                .cost(6).build();
        redis.kill();
        limiter.circuitBreaker().transitionToOpenState();

        Decision first = limiter.acquire("k", rule);
        assertThat(first.store()).isEqualTo(Store.FALLBACK);
        assertThat(first.allowed()).as("a cost within the full limit passes while Redis is down").isTrue();
        assertThat(first.limit()).isEqualTo(6);
        assertThat(first.reported().rule().window()).isEqualTo(Duration.ofSeconds(108));
        assertThat(first.reported().rule().cost()).isEqualTo(6);

        Decision second = limiter.acquire("k", rule);
        assertThat(second.allowed()).as("one such request per 108 s on this instance").isFalse();
        // the counter weighs the previous window until it has wholly passed: up to two windows when cost = limit
        assertThat(second.retryAfter()).isLessThanOrEqualTo(Duration.ofSeconds(
                algorithm == Algorithm.SLIDING_WINDOW_COUNTER ? 216 : 108));
        clock.advance(second.retryAfter());
        assertThat(limiter.acquire("k", rule).allowed()).as("again after its retry-after").isTrue();
    }

    @Test
    void instanceShareOfASmallCostIsTheLimitDividedRoundingUp() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom().instanceCount(3));
        RateLimitRule rule = RateLimitRule.custom().name("cheap").limit(10).window("1m").cost(4).build();
        redis.kill();
        limiter.circuitBreaker().transitionToOpenState();
        Decision d = limiter.acquire("k", rule);
        assertThat(d.allowed()).isTrue();
        assertThat(d.limit()).isEqualTo(4);
        assertThat(d.reported().rule().window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(limiter.acquire("k", rule).allowed()).isFalse();
    }

    /**
     * Rules on two keys while Redis goes down: the failing calls and the open breaker hand the whole request to the
     * in-memory fallback's own multi-key call, with each rule's instance share, and a denial there consumes nothing
     * from the other key.
     */
    @Test
    void rulesOnSeveralKeysFallBackTogether() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom().instanceCount(2));
        RateLimitRule perIp = RateLimitRule.custom().name("ip").limit(10).window("1m").build();
        RateLimitRule perKey = RateLimitRule.custom().name("key").limit(4).window("1m").build();
        List<KeyedRule> request = List.of(new KeyedRule("ip:203.0.113.1", perIp), new KeyedRule("header:k", perKey));
        Decision fromRedis = limiter.acquire(request);
        assertThat(fromRedis.store()).isEqualTo(Store.REDIS);
        assertThat(fromRedis.limits()).extracting(RuleOutcome::remaining).containsExactly(9L, 3L);

        redis.kill();
        for (int i = 0; i < 2; i++) { // the failing call that opens the breaker (1 of 2 calls failed), then one more
            Decision d = limiter.acquire(request);
            assertThat(d.store()).isEqualTo(Store.FALLBACK);
            assertThat(d.allowed()).isTrue();
            assertThat(d.limits()).extracting(s -> s.rule().limit()).containsExactly(5L, 2L);
            assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);
        }
        for (int i = 0; i < 5; i++) {
            Decision denied = limiter.acquire(request);
            assertThat(denied.store()).isEqualTo(Store.FALLBACK);
            assertThat(denied.allowed()).isFalse();
            assertThat(denied.limits()).extracting(RuleOutcome::remaining).containsExactly(3L, 0L);
        }
        assertThat(limiter.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void multiKeyCallerErrorsAreThrownAndNotCountedAgainstRedis() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom());
        RateLimitRule rule = rule(Algorithm.TOKEN_BUCKET, 10);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> limiter.acquire(List.<KeyedRule>of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> limiter.acquire(List.of(new KeyedRule("a", rule), new KeyedRule("a", rule))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(limiter.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(limiter.circuitBreaker().getMetrics().getNumberOfSuccessfulCalls()).isZero();
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void callerErrorsAreThrownAndNotCountedAgainstRedis() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom());
        RateLimitRule rule = rule(Algorithm.TOKEN_BUCKET, 10);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> limiter.acquire("", rule)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> limiter.acquire("k", List.of(rule, rule)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(limiter.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void scriptFlushDoesNotTripTheBreaker() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom());
        RateLimitRule rule = rule(Algorithm.SLIDING_WINDOW_COUNTER, 10);
        assertThat(limiter.acquire("k", rule).store()).isEqualTo(Store.REDIS);
        try (var client = redis.client()) {
            client.scriptFlush();
        }
        for (int i = 0; i < 4; i++) {
            Decision d = limiter.acquire("k", rule);
            assertThat(d.store()).isEqualTo(Store.REDIS);
            assertThat(d.remaining()).isEqualTo(8 - i);
        }
        assertThat(limiter.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void redisRestartBetweenRequestsDoesNotTripTheBreaker() {
        FallbackRateLimiter limiter = limiter(FallbackConfig.custom());
        RateLimitRule rule = rule(Algorithm.TOKEN_BUCKET, 10);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("k", rule).store()).isEqualTo(Store.REDIS);
        }
        redis.restart(); // pooled connections are now dead and the script cache is empty
        for (int i = 0; i < 4; i++) {
            Decision d = limiter.acquire("k", rule);
            assertThat(d.store()).isEqualTo(Store.REDIS);
            assertThat(d.remaining()).isEqualTo(9 - i);
        }
        assertThat(limiter.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void configValidatesItsValues() {
        assertThatThrownBy(() -> FallbackConfig.custom().instanceCount(0))
                .hasMessage("instanceCount must be at least 1, was 0");
        assertThatThrownBy(() -> FallbackConfig.custom().failureRateThreshold(0))
                .hasMessageContaining("failureRateThreshold");
        assertThatThrownBy(() -> FallbackConfig.custom().waitDurationInOpenState(Duration.ZERO))
                .hasMessageContaining("waitDurationInOpenState");
        assertThatThrownBy(() -> FallbackConfig.custom().policy(null)).hasMessageContaining("FALLBACK, ALLOW, DENY");
        assertThatThrownBy(() -> FallbackRateLimiter.custom().build()).hasMessageContaining("primary");
        FallbackConfig defaults = FallbackConfig.ofDefaults();
        assertThat(defaults.policy()).isEqualTo(FailurePolicy.FALLBACK);
        assertThat(defaults.waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.slowCallDurationThreshold()).isEqualTo(Duration.ofMillis(200));
    }
}
