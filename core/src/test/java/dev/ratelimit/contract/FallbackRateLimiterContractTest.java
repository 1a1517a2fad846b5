package dev.ratelimit.contract;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.RedisServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClient;

/**
 * The {@link RateLimiterContract} for {@link FallbackRateLimiter} as production uses it: a Redis limiter (the JVM's
 * shared {@code redis-server}, a key prefix per test) behind a closed breaker, with the default configuration, both on
 * the test's clock. Every decision comes from Redis.
 */
class FallbackRateLimiterContractTest extends RateLimiterContract {

    private static RedisClient client;

    @BeforeAll
    static void connect() {
        client = RedisServer.shared().client();
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @Override
    protected RateLimiter newLimiter(TimeSource clock) {
        RedisRateLimiter redis = RedisRateLimiter.custom()
                .client(client)
                .timeSource(clock)
                .keyPrefix("fallback-contract-" + UUID.randomUUID())
                .build();
        return FallbackRateLimiter.custom().primary(redis).timeSource(clock).build();
    }

    @Override
    protected Store expectedStore() {
        return Store.REDIS;
    }
}
