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
 * The {@link RateLimiterContract} for {@link FallbackRateLimiter} while it decides by its failure policy: a Redis
 * primary (never called) behind a breaker forced open, the default policy {@code FALLBACK} with one instance (so the
 * rules are not shared out), both on the test's clock. Every decision comes from the in-memory fallback.
 */
class FallbackOpenBreakerContractTest extends RateLimiterContract {

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
                .keyPrefix("fallback-open-contract-" + UUID.randomUUID())
                .build();
        FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redis).timeSource(clock).build();
        limiter.circuitBreaker().transitionToForcedOpenState();
        return limiter;
    }

    @Override
    protected Store expectedStore() {
        return Store.FALLBACK;
    }
}
