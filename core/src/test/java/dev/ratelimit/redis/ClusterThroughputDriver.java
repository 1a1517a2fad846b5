package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
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
                    long calls = run(limiter, rule, threads, seconds);
                    long[] after = evalCalls(cluster);
                    StringBuilder perShard = new StringBuilder();
                    for (int i = 0; i < after.length; i++) {
                        perShard.append(' ').append((after[i] - before[i]) / seconds);
                    }
                    System.out.printf("%-24s %8d calls/s total; per shard:%s%n", algorithm, calls / seconds,
                            perShard);
                }
            }
        }
    }

    private static long run(RedisRateLimiter limiter, RateLimitRule rule, int threads, long seconds)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                for (long i = 0; !stop.get(); i++) {
                    limiter.acquire("user-" + id + "-" + (i % 10_000), rule);
                    calls.incrementAndGet();
                }
            });
            workers.add(w);
            w.start();
        }
        Thread.sleep(seconds * 1000); // a measuring window, in a driver, never in a test
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        return calls.get();
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
