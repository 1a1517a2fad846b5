package dev.ratelimit.contract;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.RedisServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClient;

/**
 * The {@link RateLimiterContract} for the Redis limiter, against a real {@code redis-server} (the JVM's shared one).
 * Each test gets its own key prefix, so tests never see each other's state; the limiter is given the test's
 * {@link dev.ratelimit.testing.ManualClock} instead of the Redis server's {@code TIME}.
 *
 * <p>Redis key TTLs still run on Redis's real clock: every state these tests write lives at least 1 s of virtual time
 * (hence at least 1 s of real TTL), far longer than a test runs, so no key vanishes before its virtual expiry.
 */
class RedisRateLimiterContractTest extends RateLimiterContract {

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
        return RedisRateLimiter.custom()
                .client(client)
                .timeSource(clock)
                .keyPrefix("contract-" + UUID.randomUUID())
                .build();
    }

    @Override
    protected Store expectedStore() {
        return Store.REDIS;
    }
}
