package dev.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The denial cache as a decorator of any limiter: around a Redis limiter built without a cache it behaves like the
 * Redis builder's {@code denialCache(n)}; the fallback limiter's {@code denialCache(n)} puts it in front of its
 * breaker; around a limiter whose decisions are not Redis's it keeps nothing.
 */
class DenialCachingRateLimiterTest {

    private static RedisServer server;
    private static RedisClient client;

    private final ManualClock clock = new ManualClock();
    private final RateLimitRule rule = RateLimitRule.custom().name("r").limit(1).window("1m")
            .algorithm(Algorithm.GCRA).build();

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        client = server.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void aWrappedRedisLimiterServesItsDenialsLocallyUntilTheirWaitIsOver() {
        RedisRateLimiter redis = RedisRateLimiter.custom().client(client).timeSource(clock).keyPrefix("wrapped")
                .build();
        DenialCachingRateLimiter cached = new DenialCachingRateLimiter(redis, 10, clock);
        assertThat(cached.acquire("anna", rule).allowed()).isTrue();
        Decision denied = cached.acquire("anna", rule);
        assertThat(denied.allowed()).isFalse();
        assertThat(cached.cachedDenials()).isEqualTo(1);
        assertThat(cached.cachedDenial("anna", List.of(rule))).isNotNull();
        clock.advance(denied.retryAfter());
        assertThat(cached.cachedDenial("anna", List.of(rule))).isNull();
        assertThat(cached.acquire("anna", rule).allowed()).isTrue();
        assertThat(cached.toString()).isEqualTo(redis.toString());
    }

    @Test
    void underTheFallbackLimiterCachedDenialsAreNoRedisCalls() {
        RedisRateLimiter redis = RedisRateLimiter.custom().client(client).timeSource(clock).keyPrefix("fallback")
                .build();
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redis).denialCache(10)
                .timeSource(clock).build()) {
            assertThat(limiter.acquire("bert", rule).allowed()).isTrue();
            for (int i = 0; i < 20; i++) {
                Decision d = limiter.acquire("bert", rule);
                assertThat(d.allowed()).isFalse();
                assertThat(d.store()).isEqualTo(Store.REDIS);
            }
            assertThat(limiter.circuitBreaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2);
        }
    }

    @Test
    void decisionsThatAreNotRedisDenialsAreNotKept() {
        DenialCachingRateLimiter cached = new DenialCachingRateLimiter(
                InMemoryRateLimiter.custom().timeSource(clock).build(), 10, clock);
        assertThat(cached.acquire("carl", rule).allowed()).isTrue();
        assertThat(cached.acquire("carl", rule).allowed()).isFalse();
        assertThat(cached.cachedDenials()).isZero();
        assertThatThrownBy(() -> cached.acquire("", rule)).isInstanceOf(IllegalArgumentException.class);
    }
}
