package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway measuring driver, not a test (no assertions, not run by the build): starts a 3-master cluster, then
 * for each algorithm lets 8 threads call one limiter for 5 s with client keys spread over all masters, and prints
 * script calls per second in total and per shard (from each master's {@code INFO commandstats}). Run with the test
 * classpath: {@code java -cp … dev.ratelimit.redis.ClusterThroughputDriver}. The numbers feed
 * {@code docs/topologies.md}; they depend on the machine.
 */
public final class ClusterThroughputDriver {

    private ClusterThroughputDriver() {
    }

    /** Runs the measurement and prints one line per algorithm. */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        long callsPerThread = args.length > 1 ? Long.parseLong(args[1]) : 20_000;
        try (RedisCluster cluster = RedisCluster.start(3, 0)) {
            System.out.println("redis-server " + cluster.nodes().get(0).version() + ", " + threads + " threads, "
                    + Runtime.getRuntime().availableProcessors() + " cores");
            for (Algorithm algorithm : Algorithm.values()) {
                RateLimitRule rule = RateLimitRule.custom().name("tp").limit(1000).window("1m").algorithm(algorithm)
                        .build();
                try (RedisRateLimiter limiter = RedisRateLimiter.custom().clusterNodes(cluster.seeds())
                        .timeout(Duration.ofSeconds(2)).keyPrefix("tp-" + algorithm.ordinal()).build()) {
                    run(limiter, rule, threads, 1); // warm-up
                    long[] before = evalCalls(cluster);
                    long calls = threads * callsPerThread;
                    double seconds = run(limiter, rule, threads, callsPerThread) / 1e9;
                    long[] after = evalCalls(cluster);
                    StringBuilder perShard = new StringBuilder();
                    for (int i = 0; i < after.length; i++) {
                        perShard.append(' ').append(Math.round((after[i] - before[i]) / seconds));
                    }
                    System.out.printf("%-24s %8d calls/s total; per shard:%s%n", algorithm, Math.round(calls / seconds),
                            perShard);
                }
            }
        }
    }

    /** Runs {@code callsPerThread} decisions on each of {@code threads} threads; returns the elapsed nanoseconds. */
    private static long run(RedisRateLimiter limiter, RateLimitRule rule, int threads, long callsPerThread)
            throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                for (long i = 0; i < callsPerThread; i++) {
                    limiter.acquire("user-" + id + "-" + (i % 10_000), rule);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        return System.nanoTime() - start;
    }

    private static long[] evalCalls(RedisCluster cluster) {
        List<RedisServer> masters = cluster.masters();
        long[] calls = new long[masters.size()];
        for (int i = 0; i < masters.size(); i++) {
            try (redis.clients.jedis.Jedis jedis = RedisCluster.jedis(masters.get(i))) {
                String stats = jedis.info("commandstats");
                calls[i] = count(stats, "cmdstat_evalsha:") + count(stats, "cmdstat_eval:");
            }
        }
        return calls;
    }

    private static long count(String stats, String prefix) {
        int at = stats.indexOf(prefix);
        if (at < 0) {
            return 0;
        }
        int from = stats.indexOf("calls=", at) + "calls=".length();
        int to = stats.indexOf(',', from);
        return Long.parseLong(stats.substring(from, to));
    }
}
