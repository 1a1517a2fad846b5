package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Redis limiter on a real 3-master Redis Cluster (the JVM's shared one), with clients the limiter creates itself
 * from the seed nodes ({@link RedisRateLimiter.Builder#clusterNodes(List)}): atomic across instances, every key of
 * one call in one slot (no CROSSSLOT), keys spread over all masters, and the script reloaded where it went missing.
 */
class RedisClusterTest {

    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 50;
    private static final int LIMIT = 200;

    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.shared();
    }

    private static RedisRateLimiter limiter(String prefix, ManualClock clock) {
        return RedisRateLimiter.custom().clusterNodes(cluster.seeds()).timeout(Duration.ofSeconds(2))
                .keyPrefix(prefix).timeSource(clock).build();
    }

    private static String uniquePrefix(String what) {
        return "cluster-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Three limiter instances, each with its own cluster client and pools, 16 threads, 800 requests at one frozen
     * instant for one key: exactly the limit passes, each admission having seen a different remaining count.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void burstFromThreeInstancesAdmitsExactlyTheLimit(Algorithm algorithm) {
        ManualClock clock = new ManualClock();
        String prefix = uniquePrefix(algorithm.name());
        List<RedisRateLimiter> instances = List.of(limiter(prefix, clock), limiter(prefix, clock),
                limiter(prefix, clock));
        try {
            RateLimitRule rule = RateLimitRule.custom().name("burst").limit(LIMIT).window("10s").algorithm(algorithm)
                    .build();

            List<Decision> decisions = ConcurrentBurst.run(THREADS, CALLS_PER_THREAD,
                    (thread, i) -> instances.get(thread % 3).acquire("one-key", rule));

            assertThat(decisions).hasSize(THREADS * CALLS_PER_THREAD).extracting(Decision::store)
                    .containsOnly(Store.REDIS);
            List<Long> remainingSeen = decisions.stream().filter(Decision::allowed).map(Decision::remaining)
                    .sorted().collect(Collectors.toList());
            assertThat(remainingSeen).containsExactlyElementsOf(
                    LongStream.range(0, LIMIT).boxed().collect(Collectors.toList()));
            for (RedisRateLimiter instance : instances) {
                assertThat(instance.acquire("one-key", rule).allowed()).isFalse();
            }
        } finally {
            instances.forEach(RedisRateLimiter::close);
        }
    }

    /**
     * A call checking five limits of all algorithms at once writes five keys, all in the client key's slot (asked of
     * the cluster with CLUSTER KEYSLOT); 300 client keys spread over all three masters, and every call succeeds, so
     * no script ever crossed slots.
     */
    @Test
    void allKeysOfOneCallShareASlotAndClientKeysSpreadOverAllMasters() {
        ManualClock clock = new ManualClock();
        List<RateLimitRule> rules = new ArrayList<>();
        for (Algorithm algorithm : Algorithm.values()) {
            rules.add(RateLimitRule.custom().name("multi-" + algorithm.name().toLowerCase()).limit(3).window("1m")
                    .algorithm(algorithm).build());
        }
        Map<Integer, Integer> callsPerMasterPort = new HashMap<>();
        try (RedisRateLimiter limiter = limiter(uniquePrefix("slots"), clock)) {
            for (int i = 0; i < 300; i++) {
                String key = "user-" + i;
                Decision decision = limiter.acquire(key, rules);
                assertThat(decision.allowed()).isTrue();
                assertThat(decision.limits()).hasSize(rules.size());

                Set<Integer> slots = new HashSet<>();
                for (RateLimitRule rule : rules) {
                    slots.add(cluster.keySlot(limiter.stateKey(key, rule)));
                }
                assertThat(slots).as("slots of the keys of %s", key).hasSize(1);
                RedisServer master = cluster.masterOf(slots.iterator().next());
                callsPerMasterPort.merge(master.port(), 1, Integer::sum);
                if (i % 50 == 0) {
                    try (redis.clients.jedis.Jedis jedis = RedisCluster.jedis(master)) {
                        for (RateLimitRule rule : rules) {
                            assertThat(jedis.exists(limiter.stateKey(key, rule))).isTrue();
                        }
                    }
                }
            }
        }
        assertThat(callsPerMasterPort.keySet())
                .containsExactlyInAnyOrderElementsOf(cluster.masters().stream().map(RedisServer::port)
                        .collect(Collectors.toList()));
        assertThat(callsPerMasterPort.values()).allSatisfy(n -> assertThat(n).isGreaterThan(50));
    }

    /**
     * After SCRIPT FLUSH on every node (as a restarted node or a freshly promoted replica has no scripts), the next
     * call on each master gets NOSCRIPT, sends the script with EVAL on that master (which caches it there) and
     * decides on the existing state.
     */
    @Test
    void scriptIsReloadedOnEachMasterAfterAFlush() {
        ManualClock clock = new ManualClock();
        RateLimitRule rule = RateLimitRule.custom().name("reload").limit(2).window("1m").build();
        try (RedisRateLimiter limiter = limiter(uniquePrefix("noscript"), clock)) {
            List<String> keyPerMaster = keyPerMaster(limiter, rule);
            for (String key : keyPerMaster) {
                assertThat(limiter.acquire(key, rule).remaining()).isEqualTo(1);
            }
            cluster.flushScripts();
            for (RedisServer master : cluster.masters()) {
                assertThat(RedisCluster.hasScript(master, RateLimitScript.of(rule.algorithm()).sha1)).isFalse();
            }

            for (String key : keyPerMaster) {
                Decision second = limiter.acquire(key, rule);
                assertThat(second.store()).isEqualTo(Store.REDIS);
                assertThat(second.allowed()).isTrue();
                assertThat(second.remaining()).isZero();
                assertThat(limiter.acquire(key, rule).allowed()).isFalse();
            }
            for (RedisServer master : cluster.masters()) {
                assertThat(RedisCluster.hasScript(master, RateLimitScript.of(rule.algorithm()).sha1)).as("script on %s", master).isTrue();
            }
        }
    }

    /** One client key per master, found by asking the cluster which master serves each key's slot. */
    private static List<String> keyPerMaster(RedisRateLimiter limiter, RateLimitRule rule) {
        Map<Integer, String> byPort = new HashMap<>();
        for (int i = 0; byPort.size() < cluster.masters().size(); i++) {
            String key = "client-" + i;
            byPort.putIfAbsent(cluster.masterOf(cluster.keySlot(limiter.stateKey(key, rule))).port(), key);
        }
        return List.copyOf(byPort.values());
    }
}
