package dev.ratelimit.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

/**
 * In-memory decisions, ns/op: our {@link InMemoryRateLimiter} for each algorithm side by side with Bucket4j's local
 * bucket, Resilience4j's {@code RateLimiter} and Guava's {@code RateLimiter}. The limit is never reached (every call
 * is an allowed decision). Every implementation pays for finding the key's limiter: ours looks the key up in its own
 * store, the peers in a {@link ConcurrentHashMap} of one limiter per key, pre-filled. Run with {@code -t 1} and
 * {@code -t 2}; {@code keys=1} is one hot key shared by all threads, {@code keys=10000} spreads the calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InMemoryBenchmark {

    /** Effectively unlimited: 10^9 permits per second (Bucket4j's highest refill rate is one token per ns). */
    static final long HUGE = 1_000_000_000L;

    /**
     * Which limiter: {@code ours-<ALGORITHM>}, {@code bucket4j}, {@code resilience4j}, {@code guava}, or
     * {@code floor}: no limiter, one {@link AtomicLong#incrementAndGet} per call on the key's counter, the least any
     * exact shared count pays (on a hot key its cache line moves between cores on every call).
     */
    @Param({"ours-TOKEN_BUCKET", "ours-GCRA", "ours-FIXED_WINDOW", "ours-SLIDING_WINDOW_COUNTER",
        "ours-SLIDING_WINDOW_LOG", "bucket4j", "resilience4j", "guava", "floor"})
    public String impl;

    /** Distinct keys the calls are spread over. */
    @Param({"1", "10000"})
    public int keys;

    private String[] keyNames;
    private InMemoryRateLimiter ours;
    private List<RateLimitRule> rules;
    private ConcurrentHashMap<String, Bucket> bucket4j;
    private ConcurrentHashMap<String, io.github.resilience4j.ratelimiter.RateLimiter> resilience4j;
    private ConcurrentHashMap<String, RateLimiter> guava;
    private ConcurrentHashMap<String, AtomicLong> floor;
    private Op op;

    /** One decision for one key. */
    @FunctionalInterface
    interface Op {
        boolean acquire(String key);
    }

    /** Builds the chosen limiter and one state per key. */
    @Setup(Level.Trial)
    public void setUp() {
        keyNames = Keys.of(keys);
        if (impl.startsWith("ours-")) {
            Algorithm algorithm = Algorithm.valueOf(impl.substring(5));
            // the log keeps one entry per permit: a short window keeps a hot key's log at a few MB
            Duration window = algorithm == Algorithm.SLIDING_WINDOW_LOG ? Duration.ofMillis(100) : Duration.ofSeconds(1);
            rules = List.of(RateLimitRule.custom().name("bench").limit(HUGE).window(window).algorithm(algorithm)
                    .build());
            ours = InMemoryRateLimiter.custom().maximumKeys(Math.max(100_000, 2L * keys)).build();
            op = key -> ours.acquire(key, rules).allowed();
        } else if (impl.equals("bucket4j")) {
            bucket4j = new ConcurrentHashMap<>();
            for (String k : keyNames) {
                bucket4j.put(k, Bucket.builder()
                        .addLimit(limit -> limit.capacity(HUGE).refillGreedy(HUGE, Duration.ofSeconds(1)))
                        .build());
            }
            // the remaining count and wait are what a decision reports, as ours does
            op = key -> bucket4j.get(key).tryConsumeAndReturnRemaining(1).isConsumed();
        } else if (impl.equals("resilience4j")) {
            resilience4j = new ConcurrentHashMap<>();
            RateLimiterConfig config = RateLimiterConfig.custom().limitForPeriod(Integer.MAX_VALUE)
                    .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build();
            for (String k : keyNames) {
                resilience4j.put(k, io.github.resilience4j.ratelimiter.RateLimiter.of(k, config));
            }
            op = key -> resilience4j.get(key).acquirePermission();
        } else if (impl.equals("guava")) {
            guava = new ConcurrentHashMap<>();
            for (String k : keyNames) {
                guava.put(k, RateLimiter.create(HUGE));
            }
            op = key -> guava.get(key).tryAcquire();
        } else if (impl.equals("floor")) {
            floor = new ConcurrentHashMap<>();
            for (String k : keyNames) {
                floor.put(k, new AtomicLong());
            }
            op = key -> floor.get(key).incrementAndGet() <= HUGE;
        } else {
            throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    /** Releases the limiter. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (ours != null) {
            ours.close();
        }
    }

    /** Each thread walks the keys from its own offset. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        /** The next key of this thread. */
        String next(String[] keys) {
            int i = next++;
            if (next == keys.length) {
                next = 0;
            }
            return keys[i];
        }
    }

    /** One decision. */
    @Benchmark
    public boolean acquire(Cursor cursor) {
        return op.acquire(cursor.next(keyNames));
    }
}
