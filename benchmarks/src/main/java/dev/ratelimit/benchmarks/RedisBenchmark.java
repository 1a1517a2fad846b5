package dev.ratelimit.benchmarks;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.redis.RedisRateLimiter;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * Redis-backed decisions per second: our {@link RedisRateLimiter} for each algorithm, Bucket4j's Jedis integration
 * (compare-and-swap) on the same Redis, and the raw ceiling: a bare one-EVALSHA Lua token bucket called through the
 * same Jedis client in the same loop. The limit is never reached. Redis is {@code -Dbench.redis=redis://host:port}
 * (run.sh starts one); run with {@code -t 1}, {@code -t 8}, {@code -t 32}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RedisBenchmark {

    /**
     * A minimal token bucket in one EVALSHA: the most a one-round-trip Redis limiter can do. Its state is one string
     * read with GET and written with SET ... PX (as ours), the cheapest layout for Redis; it reports no reset or
     * retry-after and supports one rule.
     */
    static final String BARE_TOKEN_BUCKET = String.join("\n",
            "local limit, window, t = tonumber(ARGV[1]), tonumber(ARGV[2]), redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
            "local tokens, ts = limit, now",
            "local v = redis.call('GET', KEYS[1])",
            "if v then",
            "  local i = string.find(v, ' ', 1, true)",
            "  tokens, ts = tonumber(string.sub(v, 1, i - 1)), tonumber(string.sub(v, i + 1))",
            "end",
            "tokens = math.min(limit, tokens + (now - ts) * limit / window)",
            "local ok = tokens >= 1",
            "if ok then tokens = tokens - 1 end",
            "redis.call('SET', KEYS[1], string.format('%.17g %d', tokens, now), 'PX', math.ceil(window / 1000))",
            "return {ok and 1 or 0, math.floor(tokens)}");

    /** Which limiter: {@code ours-<ALGORITHM>}, {@code bucket4j-jedis}, {@code bare-evalsha}. */
    @Param({"ours-TOKEN_BUCKET", "ours-GCRA", "ours-FIXED_WINDOW", "ours-SLIDING_WINDOW_COUNTER",
        "ours-SLIDING_WINDOW_LOG", "bucket4j-jedis", "bare-evalsha"})
    public String impl;

    /** Distinct keys the calls are spread over. */
    @Param({"1", "10000"})
    public int keys;

    private String[] keyNames;
    private RedisClient client;
    private RedisRateLimiter ours;
    private List<RateLimitRule> rules;
    private ProxyManager<byte[]> bucket4j;
    private BucketConfiguration bucketConfig;
    private String bareSha;
    private List<String> bareArgs;
    private InMemoryBenchmark.Op op;

    /** Connects and builds the chosen limiter. */
    @Setup(Level.Trial)
    public void setUp() {
        HostAndPort redis = redisAddress();
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(64);
        pool.setMaxIdle(64);
        client = RedisClient.builder().hostAndPort(redis)
                .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(2_000).build())
                .poolConfig(pool).build();
        client.flushAll();
        keyNames = Keys.of(keys);
        if (impl.startsWith("ours-")) {
            Algorithm algorithm = Algorithm.valueOf(impl.substring(5));
            // the log holds one entry per permit: a short window keeps a hot key's sorted set small
            Duration window = algorithm == Algorithm.SLIDING_WINDOW_LOG ? Duration.ofMillis(100) : Duration.ofSeconds(1);
            rules = List.of(RateLimitRule.custom().name("bench").limit(InMemoryBenchmark.HUGE).window(window)
                    .algorithm(algorithm).build());
            ours = RedisRateLimiter.custom().client(client).build();
            op = key -> ours.acquire(key, rules).allowed();
        } else if (impl.equals("bucket4j-jedis")) {
            bucket4j = Bucket4jJedis.casBasedBuilder(client).build();
            bucketConfig = BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(InMemoryBenchmark.HUGE)
                            .refillGreedy(InMemoryBenchmark.HUGE, Duration.ofSeconds(1)))
                    .build();
            op = key -> bucket4j.builder().build(key.getBytes(StandardCharsets.UTF_8), () -> bucketConfig)
                    .tryConsumeAndReturnRemaining(1).isConsumed();
        } else if (impl.equals("bare-evalsha")) {
            bareSha = client.scriptLoad(BARE_TOKEN_BUCKET);
            bareArgs = List.of(Long.toString(InMemoryBenchmark.HUGE), "1000000");
            op = key -> {
                List<?> reply = (List<?>) client.evalsha(bareSha, List.of("bare:{" + key + "}"), bareArgs);
                return ((Long) reply.get(0)) == 1L;
            };
        } else {
            throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    /** The Redis under test, from {@code -Dbench.redis}. */
    static HostAndPort redisAddress() {
        String uri = System.getProperty("bench.redis", "redis://127.0.0.1:6379");
        java.net.URI parsed = java.net.URI.create(uri);
        return new HostAndPort(parsed.getHost(), parsed.getPort());
    }

    /** Disconnects. */
    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
    }

    /** One decision. */
    @Benchmark
    public boolean acquire(InMemoryBenchmark.Cursor cursor) {
        return op.acquire(cursor.next(keyNames));
    }
}
