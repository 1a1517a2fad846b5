package dev.ratelimit.contract;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.RedisSentinelSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link RateLimiterContract} for the Redis limiter on a Sentinel-managed master (the JVM's shared master +
 * replica + 3 sentinels, with separate data and sentinel passwords), through the builder's own Sentinel client as
 * production configures it. Each test has its own key prefix.
 */
class RedisSentinelContractTest extends RateLimiterContract {

    private static RedisSentinelSet sentinels;

    @BeforeAll
    static void start() {
        sentinels = RedisSentinelSet.shared();
    }

    @Override
    protected RateLimiter newLimiter(TimeSource clock) {
        return RedisRateLimiter.custom()
                .sentinel(RedisSentinelSet.MASTER_NAME, sentinels.sentinelAddresses())
                .credentials(null, sentinels.dataPassword())
                .sentinelCredentials(null, sentinels.sentinelPassword())
                .timeSource(clock)
                .keyPrefix("sentinel-contract-" + UUID.randomUUID())
                .build();
    }

    @Override
    protected Store expectedStore() {
        return Store.REDIS;
    }
}
