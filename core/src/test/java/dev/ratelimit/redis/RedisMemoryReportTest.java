package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.memory.InMemoryTestAccess;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Measures what one key costs: Redis {@code MEMORY USAGE} per algorithm for a key holding L permits
 * (L = 10, 100, 1000), and the in-memory limiter's estimated heap per key over 10,000 keys. Asserts the sliding log
 * grows with L while the other algorithms stay constant and small, and writes the figures as Markdown to stdout and
 * to {@code target/memory-report.md} for the documentation.
 */
class RedisMemoryReportTest {

    private static final int[] LIMITS = {10, 100, 1000};
    private static final int[] MEMORY_PERMITS = {1, 10, 100};
    private static final int MEMORY_KEYS = 10_000;
    private static final long WINDOW_MICROS = 60_000_000L;

    private static RedisServer redis;
    private static RedisClient client;

    @BeforeAll
    static void connect() {
        redis = RedisServer.shared();
        client = redis.client();
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @Test
    void measuresMemoryPerKeyAndWritesTheReport() throws IOException, URISyntaxException {
        Map<Algorithm, Map<Integer, Long>> redisBytes = measureRedis();
        Map<Algorithm, Map<Integer, Long>> heapBytes = measureInMemory();

        String report = report(redisBytes, heapBytes);
        System.out.println(report);
        Path target = Path.of(RedisMemoryReportTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent();
        Files.writeString(target.resolve("memory-report.md"), report, StandardCharsets.UTF_8);

        Map<Integer, Long> log = redisBytes.get(Algorithm.SLIDING_WINDOW_LOG);
        assertThat(log.get(100)).as("sliding log, 100 vs 10 permits").isGreaterThan(3 * log.get(10));
        assertThat(log.get(1000)).as("sliding log, 1000 vs 100 permits").isGreaterThan(5 * log.get(100));
        assertThat(log.get(1000)).as("sliding log, 1000 permits: at least 16 bytes each").isGreaterThan(16_000L);
        for (Algorithm a : Algorithm.values()) {
            if (a == Algorithm.SLIDING_WINDOW_LOG) {
                continue;
            }
            assertThat(redisBytes.get(a).values()).as("Redis bytes of %s for L = 10, 100, 1000", a)
                    .allSatisfy(bytes -> assertThat(bytes).isBetween(1L, 200L));
            assertThat(heapBytes.get(a).values()).as("heap bytes per key of %s", a).hasSize(MEMORY_PERMITS.length)
                    .allSatisfy(bytes -> assertThat(bytes).isBetween(1L, 200L))
                    .containsOnly(heapBytes.get(a).get(1));
        }
        Map<Integer, Long> heapLog = heapBytes.get(Algorithm.SLIDING_WINDOW_LOG);
        assertThat(heapLog.get(100)).as("in-memory sliding log: 8 bytes or more per permit")
                .isGreaterThan(heapLog.get(10) + 8 * 90);
    }

    /** One key per algorithm and L, filled with L single permits spread over half a window (all still counted). */
    private static Map<Algorithm, Map<Integer, Long>> measureRedis() {
        String prefix = "mem-" + UUID.randomUUID().toString().substring(0, 8);
        Map<Algorithm, Map<Integer, Long>> bytes = new EnumMap<>(Algorithm.class);
        for (Algorithm algorithm : Algorithm.values()) {
            Map<Integer, Long> perLimit = new TreeMap<>();
            for (int limit : LIMITS) {
                ManualClock clock = new ManualClock();
                RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).keyPrefix(prefix)
                        .timeSource(clock).build();
                RateLimitRule rule = RateLimitRule.custom().name("l" + limit).limit(limit).window("1m")
                        .algorithm(algorithm).build();
                for (int i = 0; i < limit; i++) {
                    assertThat(limiter.acquire("client-1", rule).allowed()).isTrue();
                    clock.advanceMicros(WINDOW_MICROS / (2 * limit));
                }
                String key = limiter.stateKey("client-1", rule);
                if (algorithm == Algorithm.SLIDING_WINDOW_LOG) {
                    assertThat(client.zcard(key)).isEqualTo(limit);
                }
                perLimit.put(limit, client.memoryUsage(key, 0));
            }
            bytes.put(algorithm, perLimit);
        }
        return bytes;
    }

    /** Per algorithm and permits per key: heap bytes per key over 10,000 keys of one in-memory limiter. */
    private static Map<Algorithm, Map<Integer, Long>> measureInMemory() {
        String[] keys = new String[MEMORY_KEYS];
        Arrays.setAll(keys, k -> "client-" + k);
        Map<Algorithm, Map<Integer, Long>> bytes = new EnumMap<>(Algorithm.class);
        for (Algorithm algorithm : Algorithm.values()) {
            Map<Integer, Long> perPermits = new TreeMap<>();
            for (int permits : MEMORY_PERMITS) {
                ManualClock clock = new ManualClock();
                try (InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build()) {
                    RateLimitRule rule = RateLimitRule.custom().name("heap").limit(1000).window("1m")
                            .algorithm(algorithm).build();
                    long allowed = 0;
                    for (int p = 0; p < permits; p++) {
                        for (String key : keys) {
                            allowed += limiter.acquire(key, rule).allowed() ? 1 : 0;
                        }
                        clock.advanceMicros(1);
                    }
                    assertThat(allowed).isEqualTo((long) permits * MEMORY_KEYS);
                    assertThat(InMemoryTestAccess.estimatedSize(limiter)).isEqualTo(MEMORY_KEYS);
                    perPermits.put(permits, InMemoryTestAccess.estimatedFootprintBytes(limiter)
                            / InMemoryTestAccess.estimatedSize(limiter));
                }
            }
            bytes.put(algorithm, perPermits);
        }
        return bytes;
    }

    private static String report(Map<Algorithm, Map<Integer, Long>> redisBytes,
            Map<Algorithm, Map<Integer, Long>> heapBytes) {
        StringBuilder md = new StringBuilder();
        md.append("## Memory per key\n\n");
        md.append("Redis ").append(redis.version()).append(", `MEMORY USAGE <key> SAMPLES 0` in bytes, for one key ")
                .append("(names like `mem-1234abcd:{client-1}:l100:swl:100:60000`) holding L permits of an L-per-minute rule, ")
                .append("taken one at a time over half a minute:\n\n");
        md.append("| algorithm |");
        for (int limit : LIMITS) {
            md.append(" L = ").append(limit).append(" |");
        }
        md.append("\n|---|");
        md.append("---:|".repeat(LIMITS.length)).append('\n');
        for (Algorithm a : Algorithm.values()) {
            md.append("| `").append(a).append("` |");
            for (int limit : LIMITS) {
                md.append(' ').append(redisBytes.get(a).get(limit)).append(" |");
            }
            md.append('\n');
        }
        md.append("\nIn-memory limiter, `estimatedFootprintBytes() / estimatedSize()` over ").append(MEMORY_KEYS)
                .append(" keys (one rule, limit 1000 per minute), by permits taken per key:\n\n");
        md.append("| algorithm |");
        for (int permits : MEMORY_PERMITS) {
            md.append(' ').append(permits).append(permits == 1 ? " permit |" : " permits |");
        }
        md.append("\n|---|");
        md.append("---:|".repeat(MEMORY_PERMITS.length)).append('\n');
        for (Algorithm a : Algorithm.values()) {
            md.append("| `").append(a).append("` |");
            for (int permits : MEMORY_PERMITS) {
                md.append(' ').append(heapBytes.get(a).get(permits)).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }
}
