package com.acme;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import java.util.List;

public final class Topologies {

    public static RateLimiter cluster(String password) {
        RedisRateLimiter cluster = RedisRateLimiter.custom()
                .clusterNodes("redis-1:6379", "redis-2:6379", "redis-3:6379")
                .credentials(null, password)          // user null: the default user
                .build();
        return FallbackRateLimiter.custom().primary(cluster).build();
    }

    public static RateLimiter sentinel(String dataPassword, String sentinelPassword) {
        RedisRateLimiter sentinel = RedisRateLimiter.custom()
                .sentinel("mymaster", List.of("sentinel-1:26379", "sentinel-2:26379", "sentinel-3:26379"))
                .credentials(null, dataPassword)
                .sentinelCredentials(null, sentinelPassword)
                .build();
        return FallbackRateLimiter.custom().primary(sentinel).build();
    }

    private Topologies() {
    }
}
