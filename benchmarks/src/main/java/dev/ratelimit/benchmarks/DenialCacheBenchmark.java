package dev.ratelimit.benchmarks;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.redis.RedisRateLimiter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.RedisClient;

/**
 * Denied requests per second with and without the local denial cache: every key has used up its limit (1 per hour),
 * so every call is a denial, answered by Redis (cache off) or locally (cache on).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DenialCacheBenchmark {

    /** Denial cache size; 0 is off. */
    @Param({"0", "100000"})
    public long cacheKeys;

    /** Distinct denied keys. */
    @Param({"1", "10000"})
    public int keys;

    private String[] keyNames;
    private RedisClient client;
    private RedisRateLimiter limiter;
    private final List<RateLimitRule> rules = List.of(RateLimitRule.custom().name("denied").limit(1).window("1h")
            .algorithm(Algorithm.TOKEN_BUCKET).build());

    /** Uses up every key's limit. */
    @Setup(Level.Trial)
    public void setUp() {
        client = RedisClient.builder().hostAndPort(RedisBenchmark.redisAddress()).build();
        client.flushAll();
        keyNames = Keys.of(keys);
        limiter = RedisRateLimiter.custom().client(client).denialCache(cacheKeys).build();
        for (String k : keyNames) {
            limiter.acquire(k, rules);
        }
    }

    /** Disconnects. */
    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
    }

    /** One (denied) decision. */
    @Benchmark
    public boolean acquire(InMemoryBenchmark.Cursor cursor) {
        return limiter.acquire(cursor.next(keyNames), rules).allowed();
    }
}
