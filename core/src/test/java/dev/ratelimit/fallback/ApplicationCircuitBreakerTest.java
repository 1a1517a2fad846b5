package dev.ratelimit.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An application's own Resilience4j {@link CircuitBreakerRegistry} and {@link CircuitBreakerConfig} given to
 * {@link FallbackRateLimiter.Builder}: the breaker is the registry's (under the limiter's name) and follows Redis, the
 * application's configuration is the one in force (on the test's clock unless it has its own), and the combinations
 * that cannot both hold are refused when built. Against a real {@code redis-server} that is killed and restarted.
 */
class ApplicationCircuitBreakerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final RateLimitRule RULE = RateLimitRule.custom().name("api").limit(100).window("1m").build();

    private final ManualClock clock = new ManualClock();
    private RedisServer redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    private RedisRateLimiter redisLimiter() {
        return RedisRateLimiter.custom().uri(redis.uri()).timeout(Duration.ofMillis(500)).timeSource(clock).build();
    }

    @Test
    void theRegistryHoldsTheBreakerUnderTheLimiterNameAndItsStateFollowsRedis() {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redisLimiter()).timeSource(clock)
                .name("orders-redis").circuitBreakerRegistry(registry)
                .config(FallbackConfig.custom().minimumNumberOfCalls(2).slidingWindowSize(4)
                        .waitDurationInOpenState(WAIT).permittedCallsInHalfOpenState(2).build())
                .build()) {
            CircuitBreaker watched = registry.find("orders-redis").orElseThrow();
            assertThat(watched).isSameAs(limiter.circuitBreaker());
            // our configuration, not the registry's default (minimum 100 calls, 60 s wait)
            assertThat(watched.getCircuitBreakerConfig().getMinimumNumberOfCalls()).isEqualTo(2);
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.REDIS);
            assertThat(watched.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

            redis.kill();
            // one success and one failure: 50 % of the minimum 2 calls, the breaker opens
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.FALLBACK);
            assertThat(watched.getState()).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(watched.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.FALLBACK);
            assertThat(watched.getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(1);

            redis.restart();
            clock.advance(WAIT.plusMillis(1)); // the limiter's clock drives the open-state wait
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.REDIS);
            assertThat(watched.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.REDIS);
            assertThat(watched.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        } finally {
            System.setErr(original);
        }
        assertThat(registry.find("orders-redis")).as("removed from the registry when closed").isEmpty();
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(count(log, "Rate limiter 'orders-redis': Redis is failing")).as(log).isEqualTo(1);
        assertThat(count(log, "from OPEN to HALF_OPEN")).as(log).isEqualTo(1);
        assertThat(count(log, "Rate limiter 'orders-redis': Redis is healthy again")).as(log).isEqualTo(1);
    }

    /** A breaker forced open by the application is logged as such, not as a failing Redis (no failure happened). */
    @Test
    void aForcedOpenBreakerIsNotLoggedAsAFailingRedis() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redisLimiter()).timeSource(clock)
                .name("forced").build()) {
            limiter.circuitBreaker().transitionToForcedOpenState();
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.FALLBACK);
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(count(log, "Rate limiter 'forced': circuit breaker State transition from CLOSED to FORCED_OPEN by "
                + "the application; deciding by policy FALLBACK until it is released")).as(log).isEqualTo(1);
        assertThat(log).doesNotContain("Redis is failing");
    }

    @Test
    void anApplicationConfigIsTheOneInForceOnTheLimiterClock() {
        CircuitBreakerConfig app = CircuitBreakerConfig.custom().minimumNumberOfCalls(1).slidingWindowSize(10)
                .failureRateThreshold(100).waitDurationInOpenState(Duration.ofSeconds(30)).build();
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redisLimiter()).timeSource(clock)
                .config(FallbackConfig.custom().policy(FailurePolicy.DENY).build()) // the policy still applies
                .circuitBreakerConfig(app).build()) {
            CircuitBreakerConfig inForce = limiter.circuitBreaker().getCircuitBreakerConfig();
            assertThat(inForce.getMinimumNumberOfCalls()).isEqualTo(1);
            assertThat(inForce.getFailureRateThreshold()).isEqualTo(100f);
            assertThat(inForce.getClock()).as("Resilience4j's default clock is replaced by the limiter's")
                    .isNotEqualTo(Clock.systemUTC());

            redis.kill();
            Decision denied = limiter.acquire("alice", RULE); // one failure in one call: 100 %, the breaker opens
            assertThat(denied.store()).isEqualTo(Store.NONE);
            assertThat(denied.retryAfter()).as("DENY's Retry-After is the application's wait")
                    .isEqualTo(Duration.ofSeconds(30));
            assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);

            redis.restart();
            clock.advance(WAIT.plusMillis(1)); // our default wait (5 s) is not in force
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.NONE);
            assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);
            clock.advance(Duration.ofSeconds(25));
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.REDIS);
            // half-open, the application's minimum of one call decides: one success closes the breaker
            assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
    }

    @Test
    void anApplicationConfigIsUsedAsItIsWithItsOwnClockOrOnTheSystemClock() {
        Clock own = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        CircuitBreakerConfig withClock = CircuitBreakerConfig.custom().clock(own).build();
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redisLimiter()).timeSource(clock)
                .circuitBreakerConfig(withClock).build()) {
            assertThat(limiter.circuitBreaker().getCircuitBreakerConfig()).isSameAs(withClock);
        }
        CircuitBreakerConfig plain = CircuitBreakerConfig.ofDefaults();
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redisLimiter())
                .circuitBreakerConfig(plain).build()) {
            assertThat(limiter.circuitBreaker().getCircuitBreakerConfig()).isSameAs(plain);
        }
    }

    @Test
    void anApplicationConfigAndRegistryTogether() {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        CircuitBreakerConfig app = CircuitBreakerConfig.custom().minimumNumberOfCalls(1).failureRateThreshold(100)
                .build();
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redisLimiter()).timeSource(clock)
                .circuitBreakerRegistry(registry).circuitBreakerConfig(app).build()) {
            CircuitBreaker watched = registry.find("redis").orElseThrow();
            assertThat(watched).isSameAs(limiter.circuitBreaker());
            redis.kill();
            assertThat(limiter.acquire("alice", RULE).store()).isEqualTo(Store.FALLBACK);
            assertThat(watched.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        }
        assertThat(registry.getAllCircuitBreakers()).isEmpty();
    }

    @Test
    void combinationsThatCannotBothHoldAreRefusedWhenBuilt() {
        CircuitBreakerConfig app = CircuitBreakerConfig.ofDefaults();
        try (RedisRateLimiter primary = redisLimiter()) {
            // a FallbackConfig breaker setting and an application config: which one holds would be a guess
            assertThatThrownBy(() -> FallbackRateLimiter.custom().primary(primary).circuitBreakerConfig(app)
                    .config(FallbackConfig.custom().waitDurationInOpenState(WAIT).build()).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("circuitBreakerConfig");
            assertThatThrownBy(() -> FallbackRateLimiter.custom().primary(primary).circuitBreakerConfig(app)
                    .config(FallbackConfig.custom().minimumNumberOfCalls(5).build()).build())
                    .isInstanceOf(IllegalStateException.class);

            // the registry already has a breaker by that name: sharing it would mix two limiters' calls
            CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
            CircuitBreaker theirs = registry.circuitBreaker("redis");
            assertThatThrownBy(() -> FallbackRateLimiter.custom().primary(primary).circuitBreakerRegistry(registry)
                    .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("'redis'");
            assertThat(registry.find("redis")).containsSame(theirs);
        }
        // the policy and instance count go with an application config; a closed limiter's name can be used again
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        for (int i = 0; i < 2; i++) {
            try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redisLimiter())
                    .config(FallbackConfig.custom().policy(FailurePolicy.ALLOW).instanceCount(3).build())
                    .circuitBreakerConfig(app).circuitBreakerRegistry(registry).build()) {
                assertThat(limiter.config().instanceCount()).isEqualTo(3);
                assertThat(registry.find("redis")).containsSame(limiter.circuitBreaker());
            }
        }
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
