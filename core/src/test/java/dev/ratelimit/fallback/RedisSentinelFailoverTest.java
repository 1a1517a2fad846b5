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
import dev.ratelimit.testing.RedisSentinelSet;
import dev.ratelimit.testing.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The Redis limiter through Jedis's Sentinel client on a real master + replica + 3 sentinels, with separate data and
 * sentinel passwords. Decisions are made on the master; when it is killed, the fallback keeps answering while the
 * sentinels promote the replica, and then the same limiter (not recreated) decides on the new master, exactly.
 *
 * <p>Redis and the breaker run on one {@link ManualClock}; the breaker's open-state wait is passed by moving it.
 */
class RedisSentinelFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void decisionsFollowTheMasterThroughAFailoverWithoutRecreatingTheLimiter() throws Exception {
        ManualClock clock = new ManualClock();
        RateLimitRule rule = RateLimitRule.custom().name("sentinel").limit(50).window("1m")
                .algorithm(Algorithm.TOKEN_BUCKET).build();
        try (RedisSentinelSet set = RedisSentinelSet.start()) {
            RedisRateLimiter primary = RedisRateLimiter.custom()
                    .sentinel(RedisSentinelSet.MASTER_NAME, set.sentinelAddresses())
                    .credentials(null, set.dataPassword())
                    .sentinelCredentials(null, set.sentinelPassword())
                    .timeout(Duration.ofMillis(250))
                    .timeSource(clock)
                    .build();
            try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(primary).timeSource(clock)
                    .config(FallbackConfig.custom().waitDurationInOpenState(WAIT)
                            .slowCallDurationThreshold(Duration.ofSeconds(2)).build())
                    .build()) {
                RedisServer oldMaster = set.currentMaster();
                assertExactlyTheLimitOnRedis(limiter, "before", rule);
                assertStateOn(set, oldMaster, RedisTestAccess.stateKey(primary, "before", rule));

                RateLimitRule loadRule = RateLimitRule.custom().name("load").limit(1_000_000).window("1m").build();
                TopologyFailoverLoad load = new TopologyFailoverLoad(limiter, loadRule);
                load.start(4);
                load.awaitDecisions(Store.REDIS, 0, 200);
                oldMaster.kill();
                load.awaitDecisions(Store.FALLBACK, 0, 100);
                RedisServer newMaster = set.awaitFailoverFrom(oldMaster);
                load.awaitBackOnRedis(clock, WAIT);
                load.stopAndJoin();

                assertThat(load.errors).as("exceptions that reached a caller").isEmpty();
                assertThat(newMaster).isNotEqualTo(oldMaster);
                assertExactlyTheLimitOnRedis(limiter, "after", rule);
                assertStateOn(set, newMaster, RedisTestAccess.stateKey(primary, "after", rule));
                assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
            }
        }
    }

    private static void assertExactlyTheLimitOnRedis(FallbackRateLimiter limiter, String key, RateLimitRule rule) {
        List<Decision> decisions = ConcurrentBurst.run(4, 25, (thread, i) -> limiter.acquire(key, rule));
        assertThat(decisions).extracting(Decision::store).containsOnly(Store.REDIS);
        assertThat(decisions.stream().filter(Decision::allowed).count()).isEqualTo(rule.limit());
    }

    private static void assertStateOn(RedisSentinelSet set, RedisServer node, String stateKey) {
        try (Jedis jedis = set.dataJedis(node)) {
            assertThat(jedis.exists(stateKey)).as("%s on port %d", stateKey, node.port()).isTrue();
        }
    }
}
