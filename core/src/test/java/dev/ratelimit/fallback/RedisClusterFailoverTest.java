package dev.ratelimit.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.redis.RedisTestAccess;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Kills a master of the real cluster (the JVM's shared one) while threads take decisions through a
 * {@link FallbackRateLimiter}: no exception reaches a caller, the fallback decides while the replica takes over, and
 * once it has, decisions come from Redis again, exactly, from the same limiter. The killed node is started again at
 * the end and rejoins as a replica, so the shared cluster is whole for the next test.
 *
 * <p>Redis and the breaker both run on one {@link ManualClock}: the breaker's open-state wait is passed by moving it.
 * The call timeout is 250 ms: the cluster client retries a failed call on a refreshed slot map for up to 5 times
 * that (1.25 s), less than a failover takes here (1 s node timeout, then the election), so calls for the killed
 * master's slots do fail and the fallback answers them; with a timeout of a few seconds Jedis would absorb the
 * whole failover in its retries. The slow-call threshold is 2 s so that two busy shared cores do not trip the
 * breaker once the cluster is healthy.
 */
class RedisClusterFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void killingAMasterUnderLoadReachesNoCallerAndRedisDecidesExactlyAgainAfterTheFailover() throws Exception {
        RedisCluster cluster = RedisCluster.shared();
        ManualClock clock = new ManualClock();
        String prefix = "cluster-failover-" + UUID.randomUUID().toString().substring(0, 8);
        RedisRateLimiter primary = RedisRateLimiter.custom().clusterNodes(cluster.seeds())
                .timeout(Duration.ofMillis(250)).keyPrefix(prefix).timeSource(clock).build();
        FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(primary).timeSource(clock)
                .config(FallbackConfig.custom().waitDurationInOpenState(WAIT)
                        .slowCallDurationThreshold(Duration.ofSeconds(2)).build())
                .build();
        RateLimitRule loadRule = RateLimitRule.custom().name("load").limit(1_000_000).window("1m").build();
        RedisServer victim = cluster.masters().get(0);
        RateLimitRule rule = RateLimitRule.custom().name("after").limit(100).window("1m")
                .algorithm(Algorithm.SLIDING_WINDOW_LOG).build();
        String key = keyServedBy(victim, cluster, primary, rule);
        try {
            TopologyFailoverLoad load = new TopologyFailoverLoad(limiter, loadRule);
            load.start(4);
            load.awaitDecisions(Store.REDIS, 0, 300);

            victim.kill();
            load.awaitDecisions(Store.FALLBACK, 0, 1);
            cluster.awaitFailoverFrom(victim);
            load.awaitBackOnRedis(clock, WAIT);
            load.stopAndJoin();

            assertThat(load.errors).as("exceptions that reached a caller").isEmpty();
            assertThat(load.decisions(Store.FALLBACK)).as("decisions by the fallback during the failover").isPositive();
            assertThat(cluster.masters()).hasSize(3).doesNotContain(victim);

            // a fresh key in a slot the killed master served: decided on its replica, now master, exactly
            assertThat(cluster.masterOf(cluster.keySlot(RedisTestAccess.stateKey(primary, key, rule))))
                    .isNotEqualTo(victim);
            List<Decision> decisions = ConcurrentBurst.run(8, 25, (thread, i) -> limiter.acquire(key, rule));
            assertThat(decisions).extracting(Decision::store).containsOnly(Store.REDIS);
            assertThat(decisions.stream().filter(Decision::allowed).count()).isEqualTo(100);
            assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        } finally {
            limiter.close();
            if (!victim.isRunning()) {
                cluster.restart(victim); // rejoins as a replica of its successor
            }
        }
    }

    /** A client key whose slot {@code master} serves now. */
    private static String keyServedBy(RedisServer master, RedisCluster cluster, RedisRateLimiter limiter,
            RateLimitRule rule) {
        for (int i = 0; ; i++) {
            String key = "fresh-" + i;
            if (cluster.masterOf(cluster.keySlot(RedisTestAccess.stateKey(limiter, key, rule))).equals(master)) {
                return key;
            }
        }
    }
}
