package dev.ratelimit.benchmarks;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.memory.InMemoryTestAccess;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.redis.RedisTestAccess;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.resps.Slowlog;

/**
 * The counts behind the tables that are not timings: Redis commands per decision (from {@code INFO commandstats}),
 * bytes per key in Redis ({@code used_memory} over 10,000 keys, and {@code MEMORY USAGE} of one) and heap per key of
 * the in-memory limiter (heap after GC over 100,000 keys). Prints Markdown. Usage: {@code Report redis://host:port}.
 */
public final class Report {

    private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)");
    private static final int DECISIONS = 1_000;

    private Report() {
    }

    /** Prints the report. */
    public static void main(String[] args) throws Exception {
        System.setProperty("bench.redis", args.length > 0 ? args[0] : "redis://127.0.0.1:6379");
        try (RedisClient client = RedisClient.builder().hostAndPort(RedisBenchmark.redisAddress()).build()) {
            commandsPerDecision(client);
            redisTimePerDecision(client);
            redisMemory(client);
        }
        heapPerKey();
    }

    private static void commandsPerDecision(RedisClient client) {
        System.out.println("### Redis commands per decision (INFO commandstats, " + DECISIONS + " decisions each)\n");
        System.out.println("Redis 7 counts the commands a script runs as well as the script call itself: the round "
                + "trips are the EVALSHA/EVAL calls plus any command sent outside a script.\n");
        System.out.println("| limiter | rules per request | EVALSHA+EVAL per decision | allowed: commands/decision | "
                + "denied: commands/decision | commands seen (allowed) |");
        System.out.println("|---|---:|---:|---:|---:|---|");
        RedisRateLimiter ours = RedisRateLimiter.custom().client(client).build();
        for (Algorithm algorithm : Algorithm.values()) {
            for (int n = 1; n <= 3; n += 2) {
                List<RateLimitRule> allowed = new ArrayList<>();
                List<RateLimitRule> denied = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    allowed.add(rule("a" + i, 1_000_000_000L, algorithm));
                    denied.add(rule("d" + i, 1, algorithm));
                }
                client.flushAll();
                ours.acquire("cpd", denied); // uses up the limit: what follows is denied
                Stats a = measure(client, () -> ours.acquire("cpd", allowed));
                Stats d = measure(client, () -> ours.acquire("cpd", denied));
                System.out.printf("| ours %s | %d | %s | %s | %s | %s |%n", algorithm, n, a.scripts(), a.perDecision(),
                        d.perDecision(), a.commands);
            }
        }
        ProxyManager<byte[]> bucket4j = Bucket4jJedis.casBasedBuilder(client).build();
        BucketConfiguration open = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(1_000_000_000L).refillGreedy(1_000_000_000L, Duration.ofSeconds(1))).build();
        BucketConfiguration closed = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(1).refillGreedy(1, Duration.ofHours(1))).build();
        byte[] k1 = "b4j-open".getBytes(StandardCharsets.UTF_8);
        byte[] k2 = "b4j-closed".getBytes(StandardCharsets.UTF_8);
        client.flushAll();
        bucket4j.builder().build(k2, () -> closed).tryConsume(1);
        Stats a = measure(client, () -> bucket4j.builder().build(k1, () -> open).tryConsumeAndReturnRemaining(1));
        Stats d = measure(client, () -> bucket4j.builder().build(k2, () -> closed).tryConsumeAndReturnRemaining(1));
        System.out.printf("| Bucket4j-Jedis (CAS), 1 thread | 1 | %s | %s | %s | %s |%n%n", a.scripts(), a.perDecision(),
                d.perDecision(), a.commands);
    }

    /**
     * The Redis server's own time per script call, i.e. the work each decision puts on Redis's single thread, which is
     * what caps a Redis shared by many clients. Every script runs at the same time (two threads each, allowed
     * one-rule decisions on a key of its own) so that a slow spell of the machine hits all alike, and SLOWLOG,
     * set to record every command, gives each call's execution time (the commands it ran included); scripts are told
     * apart by their key.
     */
    private static void redisTimePerDecision(RedisClient client) throws InterruptedException {
        int callsPerThread = 3_000;
        int threadsPerScript = 2;
        Map<String, Runnable> scripts = new LinkedHashMap<>();
        String bareSha = client.scriptLoad(RedisBenchmark.BARE_TOKEN_BUCKET);
        List<String> bareArgs = List.of(Long.toString(InMemoryBenchmark.HUGE), "1000000");
        scripts.put("bare:{timed}", () -> client.evalsha(bareSha, List.of("bare:{timed}"), bareArgs));
        RedisRateLimiter ours = RedisRateLimiter.custom().client(client).keyPrefix("timed").build();
        for (Algorithm algorithm : Algorithm.values()) {
            List<RateLimitRule> rules = List.of(rule("t", InMemoryBenchmark.HUGE, algorithm));
            scripts.put("timed:{" + algorithm + "}", () -> ours.acquire(algorithm.name(), rules));
        }
        client.flushAll();
        scripts.values().forEach(Runnable::run); // loads the scripts
        // Redis 7 also logs the commands a script runs (up to 6 here): room for all of them
        client.configSet("slowlog-max-len", Integer.toString(10 * scripts.size() * threadsPerScript * callsPerThread));
        client.configSet("slowlog-log-slower-than", "0");
        client.slowlogReset();
        List<Thread> threads = new ArrayList<>();
        for (Runnable script : scripts.values()) {
            for (int i = 0; i < threadsPerScript; i++) {
                Thread thread = new Thread(() -> {
                    for (int n = 0; n < callsPerThread; n++) {
                        script.run();
                    }
                });
                thread.start();
                threads.add(thread);
            }
        }
        for (Thread thread : threads) {
            thread.join();
        }
        client.configSet("slowlog-log-slower-than", "10000"); // Redis's defaults
        List<Slowlog> log;
        try (Jedis admin = new Jedis(RedisBenchmark.redisAddress())) {
            log = admin.slowlogGet(admin.slowlogLen());
        }
        client.configSet("slowlog-max-len", "128");
        client.slowlogReset();
        Map<String, long[]> byKey = new LinkedHashMap<>(); // key -> calls, total µs
        scripts.keySet().forEach(k -> byKey.put(k, new long[2]));
        for (Slowlog entry : log) {
            List<String> args = entry.getArgs();
            long[] sum = args.size() > 3 && args.get(0).equalsIgnoreCase("evalsha") ? byKey.get(scriptOf(args.get(3)))
                    : null;
            if (sum != null) {
                sum[0]++;
                sum[1] += entry.getExecutionTime();
            }
        }
        System.out.println("### Redis server time per decision (SLOWLOG execution time, all scripts running at once, "
                + threadsPerScript + " threads each, allowed one-rule decisions)\n");
        System.out.println("| script | calls timed | µs per call | vs the bare token bucket |");
        System.out.println("|---|---:|---:|---:|");
        long[] bare = byKey.get("bare:{timed}");
        double bareMicros = bare[1] / (double) bare[0];
        for (Map.Entry<String, long[]> e : byKey.entrySet()) {
            double micros = e.getValue()[1] / (double) e.getValue()[0];
            String name = e.getKey().equals("bare:{timed}") ? "bare EVALSHA token bucket"
                    : "ours " + e.getKey().substring(7, e.getKey().length() - 1);
            System.out.printf("| %s | %d | %.2f | %.0f %% |%n", name, e.getValue()[0], micros,
                    100 * micros / bareMicros);
        }
        System.out.println();
    }

    /** The script a timed call ran, from its key ({@code bare:{timed}} or {@code timed:{ALGORITHM}:...}). */
    private static String scriptOf(String key) {
        int close = key.indexOf('}');
        return close < 0 ? key : key.substring(0, close + 1);
    }

    private static RateLimitRule rule(String name, long limit, Algorithm algorithm) {
        Duration window = algorithm == Algorithm.SLIDING_WINDOW_LOG && limit > 1 ? Duration.ofMillis(100)
                : Duration.ofHours(1);
        return RateLimitRule.custom().name(name).limit(limit).window(window).algorithm(algorithm).build();
    }

    /** Commands Redis executed for {@value #DECISIONS} calls of {@code decision}. */
    private static Stats measure(RedisClient client, Runnable decision) {
        Map<String, Long> before = commandCalls(client);
        for (int i = 0; i < DECISIONS; i++) {
            decision.run();
        }
        long total = 0;
        long scripts = 0;
        StringBuilder seen = new StringBuilder();
        for (Map.Entry<String, Long> e : commandCalls(client).entrySet()) {
            String command = e.getKey();
            long calls = e.getValue() - before.getOrDefault(command, 0L) - (command.equals("info") ? 1 : 0);
            if (calls == 0) {
                continue;
            }
            total += calls;
            if (command.equals("evalsha") || command.equals("eval")) {
                scripts += calls;
            }
            seen.append(seen.length() == 0 ? "" : ", ").append(command.toUpperCase()).append(' ')
                    .append(String.format("%.2f", calls / (double) DECISIONS));
        }
        return new Stats(total, scripts, seen.toString());
    }

    private static Map<String, Long> commandCalls(RedisClient client) {
        Map<String, Long> calls = new TreeMap<>();
        Matcher m = CALLS.matcher(client.info("commandstats"));
        while (m.find()) {
            calls.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return calls;
    }

    private record Stats(long total, long scriptCalls, String commands) {
        String perDecision() {
            return String.format("%.2f", total / (double) DECISIONS);
        }

        String scripts() {
            return String.format("%.2f", scriptCalls / (double) DECISIONS);
        }
    }

    private static void redisMemory(RedisClient client) {
        int keys = 10_000;
        System.out.println("### Redis memory per key (10,000 keys, each after its first decision; "
                + "SLIDING_WINDOW_LOG also after 100 permits)\n");
        System.out.println("| algorithm | used_memory delta / key (B) | MEMORY USAGE of one key (B) |");
        System.out.println("|---|---:|---:|");
        RedisRateLimiter ours = RedisRateLimiter.custom().client(client).build();
        for (Algorithm algorithm : Algorithm.values()) {
            for (int permits : algorithm == Algorithm.SLIDING_WINDOW_LOG ? new int[] {1, 100} : new int[] {1}) {
                client.flushAll();
                RateLimitRule rule = RateLimitRule.custom().name("m").limit(1_000).window("1h").algorithm(algorithm)
                        .cost(permits).build();
                long before = usedMemory(client);
                for (int i = 0; i < keys; i++) {
                    ours.acquire("client-" + i, rule);
                }
                long after = usedMemory(client);
                Long one = client.memoryUsage(RedisTestAccess.stateKey(ours, "client-1", rule));
                System.out.printf("| %s%s | %d | %d |%n", algorithm, permits > 1 ? " (" + permits + " permits)" : "",
                        (after - before) / keys, one);
            }
        }
        client.flushAll();
        System.out.println();
    }

    private static long usedMemory(RedisClient client) {
        Matcher m = Pattern.compile("used_memory:(\\d+)").matcher(client.info("memory"));
        if (!m.find()) {
            throw new IllegalStateException("no used_memory in INFO memory");
        }
        return Long.parseLong(m.group(1));
    }

    private static void heapPerKey() {
        int keys = 100_000;
        System.out.println("### In-memory limiter: heap per key (100,000 keys, heap after GC)\n");
        System.out.println("| algorithm | heap per key (B) |");
        System.out.println("|---|---:|");
        String[] names = Keys.of(keys);
        for (Algorithm algorithm : Algorithm.values()) {
            RateLimitRule rule = RateLimitRule.custom().name("m").limit(1_000).window("1h").algorithm(algorithm)
                    .build();
            long before = heapAfterGc();
            InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().maximumKeys(keys * 2L).build();
            for (String k : names) {
                limiter.acquire(k, rule);
            }
            long after = heapAfterGc();
            System.out.printf("| %s | %d |%n", algorithm, (after - before) / keys);
            long held = InMemoryTestAccess.estimatedSize(limiter);
            if (held != keys) {
                throw new IllegalStateException("expected " + keys + " keys, found " + held);
            }
            limiter.close();
        }
        System.out.println();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
