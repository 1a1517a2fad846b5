package dev.ratelimit.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 21: while Redis is down (nothing listens on port 1; the breaker closed at first, then opening), every
 * operation goes to the in-memory fallback and none throws: peek, refund, block and reset act on the state the
 * fallback counts, with the denial cache on.
 */
class FallbackOperationsTest {

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void everyOperationGoesToTheInMemoryFallbackWhileRedisIsDown(Algorithm algorithm) {
        ManualClock clock = new ManualClock();
        RedisRateLimiter redis = RedisRateLimiter.custom().uri("redis://127.0.0.1:1").timeout(Duration.ofMillis(50))
                .timeSource(clock).build();
        RateLimitRule rule = RateLimitRule.custom().name("down").limit(2).window("10s").algorithm(algorithm).build();
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redis).timeSource(clock)
                .denialCache(100).build()) {
            assertThat(limiter.acquire("carol", rule).allowed()).isTrue();
            assertThat(limiter.acquire("carol", rule).allowed()).isTrue();
            Decision denied = limiter.acquire("carol", rule);
            assertThat(denied.allowed()).isFalse();
            assertThat(denied.store()).isEqualTo(Store.FALLBACK);

            Decision peeked = limiter.peek("carol", List.of(rule));
            assertThat(peeked.store()).isEqualTo(Store.FALLBACK);
            assertThat(peeked.allowed()).isFalse();
            assertThat(peeked.retryAfter()).isEqualTo(denied.retryAfter());

            limiter.refund("carol", rule, 1);
            Decision refunded = limiter.acquire("carol", rule);
            assertThat(refunded.allowed()).isTrue();
            assertThat(refunded.store()).isEqualTo(Store.FALLBACK);

            limiter.block("carol", rule, Duration.ofSeconds(30));
            Decision blocked = limiter.acquire("carol", rule);
            assertThat(blocked.allowed()).isFalse();
            assertThat(blocked.retryAfter()).isEqualTo(Duration.ofSeconds(30));

            limiter.reset("carol", rule);
            Decision fresh = limiter.acquire("carol", rule);
            assertThat(fresh.allowed()).isTrue();
            assertThat(fresh.remaining()).isEqualTo(1);
            assertThat(fresh.store()).isEqualTo(Store.FALLBACK);
        }
    }
}
