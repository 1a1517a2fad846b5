package dev.ratelimit.contract;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.RedisCluster;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClusterClient;

/**
 * The {@link RateLimiterContract} for the Redis limiter on a real 3-master Redis Cluster (the JVM's shared one),
 * through Jedis's {@link RedisClusterClient}: the same exact expectations as on a single Redis. Each test has its own
 * key prefix; its client keys land on different slots and masters.
 */
class RedisClusterContractTest extends RateLimiterContract {

    private static RedisClusterClient client;

    @BeforeAll
    static void connect() {
        client = RedisCluster.shared().client();
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
                .keyPrefix("cluster-contract-" + UUID.randomUUID())
                .build();
    }

    @Override
    protected Store expectedStore() {
        return Store.REDIS;
    }
}
