package dev.ratelimit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Meters appear in a registry and count exactly; the breaker's own meters come and go with the limiter. */
class MicrometerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerMetrics metrics = MicrometerMetrics.of(registry);
    private final ManualClock clock = new ManualClock();
    private final RateLimitRule rule = RateLimitRule.custom().name("api").limit(100).window("1m")
            .algorithm(Algorithm.TOKEN_BUCKET).build();

    @Test
    void redisCallsAndTheBreakerAreReportedAndTheBreakerMetersLeaveWithTheLimiter() {
        RedisServer redis = RedisServer.start();
        FallbackRateLimiter limiter = null;
        try {
            RedisRateLimiter primary = RedisRateLimiter.custom().uri(redis.uri()).timeout(Duration.ofMillis(500))
                    .timeSource(clock).build();
            limiter = FallbackRateLimiter.custom().primary(primary).timeSource(clock).name("orders-redis")
                    .config(FallbackConfig.custom().minimumNumberOfCalls(2).slidingWindowSize(4).build())
                    .metrics(metrics).build();
            for (int i = 0; i < 7; i++) {
                assertThat(limiter.acquire("alice", rule).store()).isEqualTo(Store.REDIS);
            }
            Timer success = registry.find("ratelimit.redis.calls").tag("outcome", "success").timer();
            assertThat(success).isNotNull();
            assertThat(success.count()).isEqualTo(7);
            assertThat(success.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
            Gauge closed = registry.find("resilience4j.circuitbreaker.state")
                    .tags("name", "orders-redis", "state", "closed").gauge();
            assertThat(closed).as("Resilience4j's own breaker meters").isNotNull();
            assertThat(closed.value()).isEqualTo(1.0);

            redis.kill();
            for (int i = 0; i < 4; i++) {
                Decision d = limiter.acquire("alice", rule);
                assertThat(d.store()).isEqualTo(Store.FALLBACK);
            }
            Timer failure = registry.find("ratelimit.redis.calls").tag("outcome", "failure").timer();
            assertThat(failure.count()).as("two failures open the breaker; the rest never reach Redis")
                    .isEqualTo(2);
            assertThat(registry.find("resilience4j.circuitbreaker.state")
                    .tags("name", "orders-redis", "state", "open").gauge().value()).isEqualTo(1.0);
        } finally {
            if (limiter != null) {
                limiter.close();
            }
            redis.close();
        }
        assertThat(registry.find("resilience4j.circuitbreaker.state").tag("name", "orders-redis").gauges())
                .as("closing the limiter removes its breaker's meters").isEmpty();
    }

    @Test
    void limitNamesBeyondTheCapShareOneTagValue() {
        InMemoryRateLimiter memory = InMemoryRateLimiter.custom().timeSource(clock).build();
        for (int i = 0; i < MicrometerMetrics.MAX_LIMIT_NAMES + 5; i++) {
            RateLimitRule named = rule.toBuilder().name("limit-" + i).build();
            metrics.decision(memory.acquire("k", named), RateLimitMetrics.Outcome.ALLOWED);
        }
        metrics.decision(memory.acquire("k", rule.toBuilder().name("limit-0").build()),
                RateLimitMetrics.Outcome.ALLOWED);
        assertThat(registry.find("ratelimit.decisions").counters()).hasSize(MicrometerMetrics.MAX_LIMIT_NAMES + 1);
        Counter other = registry.find("ratelimit.decisions").tag("limit", MicrometerMetrics.OTHER_LIMITS).counter();
        assertThat(other.count()).isEqualTo(5);
        assertThat(registry.find("ratelimit.decisions").tag("limit", "limit-0").counter().count()).isEqualTo(2);
    }

    @Test
    void resetsBlocksAndRefundsAreCountedByLimitAndOperation() {
        metrics.operation(rule, RateLimitMetrics.Operation.RESET);
        metrics.operation(rule, RateLimitMetrics.Operation.REFUND);
        metrics.operation(rule, RateLimitMetrics.Operation.REFUND);
        assertThat(registry.find("ratelimit.operations").tag("limit", rule.name()).tag("operation", "reset")
                .counter().count()).isEqualTo(1);
        assertThat(registry.find("ratelimit.operations").tag("operation", "refund").counter().count()).isEqualTo(2);
        assertThat(registry.find("ratelimit.operations").tag("operation", "block").counter()).isNull();
    }

    @Test
    void denialCacheHitsAreCounted() {
        metrics.denialCacheHit();
        metrics.denialCacheHit();
        assertThat(registry.find("ratelimit.denial.cache.hits").counter().count()).isEqualTo(2);
    }

    @Test
    void defaultsReportToTheGlobalRegistryWhenMicrometerIsPresent() {
        assertThat(RateLimitMetrics.defaults()).isInstanceOf(MicrometerMetrics.class);
        assertThat(((MicrometerMetrics) RateLimitMetrics.defaults()).registry())
                .isSameAs(io.micrometer.core.instrument.Metrics.globalRegistry);
        assertThat(List.of(RateLimitMetrics.none().toString())).containsExactly("none");
    }
}
