package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Rules of one request counted against different keys (one per client IP, one per API key): a request denied by one
 * rule consumes nothing from the others (issue 16, defect 3). On a single Redis all keys go in one script call; on a
 * Redis Cluster, whose keys live in different slots, the limiter checks every slot first, then acquires slot by slot
 * and gives back what it took if a later slot denies (the refund script, tested here directly as well).
 */
class MultiKeyAcquireTest {

    private static final long S = 1_000_000L;

    /** Two client keys whose hash tags fall in different cluster slots. */
    private static final String IP = "ip:203.0.113.7";
    private static final String API = "header:X-Api-Key:k-1";

    private static RedisClient single;
    private static RedisClusterClient cluster;

    @BeforeAll
    static void connect() {
        single = RedisServer.shared().client();
        cluster = RedisCluster.shared().client();
        assertThat(JedisClusterCRC16.getSlot(IP)).as("the two keys live in different slots")
                .isNotEqualTo(JedisClusterCRC16.getSlot(API));
    }

    @AfterAll
    static void disconnect() {
        single.close();
        cluster.close();
    }

    private static RateLimitRule rule(String name, Algorithm algorithm, long limit) {
        return RateLimitRule.custom().name(name).limit(limit).window("1h").algorithm(algorithm).build();
    }

    private static RedisRateLimiter limiter(UnifiedJedis client, ManualClock clock) {
        return RedisRateLimiter.custom().client(client).timeSource(clock).keyPrefix("multi-" + UUID.randomUUID())
                .build();
    }

    /**
     * An exhausted API key (2 per hour) flooded ten times more: the IP's budget (100 per hour) loses exactly the two
     * permits of the two admitted requests, on a single Redis and on a cluster alike, for every algorithm.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aDenialByOneKeyConsumesNothingFromTheOther(Algorithm algorithm) {
        for (UnifiedJedis client : List.of(single, cluster)) {
            ManualClock clock = new ManualClock();
            RateLimitRule perIp = rule("per-ip", algorithm, 100);
            RateLimitRule perKey = rule("per-key", algorithm, 2);
            List<KeyedRule> request = List.of(new KeyedRule(IP, perIp), new KeyedRule(API, perKey));
            try (RedisRateLimiter limiter = limiter(client, clock)) {
                int admitted = 0;
                for (int i = 0; i < 20; i++) {
                    Decision d = limiter.acquire(request);
                    admitted += d.allowed() ? 1 : 0;
                    assertThat(d.limits()).extracting(RuleOutcome::rule).containsExactly(perIp, perKey);
                    if (!d.allowed()) {
                        assertThat(d.limits().get(0).allowed()).as("the IP rule alone would pass").isTrue();
                        assertThat(d.limits().get(0).remaining()).as("IP budget after a denial").isEqualTo(98);
                        assertThat(d.limits().get(1).allowed()).isFalse();
                    }
                }
                assertThat(admitted).as(client.getClass().getSimpleName()).isEqualTo(2);
                assertThat(limiter.acquire(IP, perIp).remaining()).isEqualTo(97);
            }
        }
    }

    /** Both groups pass: both consume, in one decision that names one store. */
    @Test
    void aRequestAdmittedByAllKeysTakesFromEach() {
        for (UnifiedJedis client : List.of(single, cluster)) {
            ManualClock clock = new ManualClock();
            RateLimitRule perIp = rule("per-ip", Algorithm.TOKEN_BUCKET, 10);
            RateLimitRule perKey = rule("per-key", Algorithm.GCRA, 5);
            RateLimitRule perKeyLog = rule("per-key-log", Algorithm.SLIDING_WINDOW_LOG, 4);
            try (RedisRateLimiter limiter = limiter(client, clock)) {
                Decision d = limiter.acquire(List.of(new KeyedRule(IP, perIp), new KeyedRule(API, perKey),
                        new KeyedRule(API, perKeyLog)));
                assertThat(d.allowed()).isTrue();
                assertThat(d.limits()).extracting(RuleOutcome::remaining).containsExactly(9L, 4L, 3L);
                assertThat(d.store()).isEqualTo(dev.ratelimit.core.Store.REDIS);
            }
        }
    }

    /**
     * The refund script alone: a key acquired ("timed") and refunded at once answers every later check exactly like
     * a twin key that was never acquired.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aRefundRightAfterTheAcquisitionRestoresTheStateExactly(Algorithm algorithm) {
        String tag = "refund-" + UUID.randomUUID();
        String taken = tag + ":{a}:x";
        String twin = tag + ":{b}:x";
        long t0 = ManualClock.DEFAULT_START_MICROS + 1_234_567;
        long window = 10 * S;
        String limit = "7";
        // history shared by both keys: three permits, some time ago
        for (String key : List.of(taken, twin)) {
            run(RateLimitScript.of(algorithm), key, t0, "", algorithm, limit, window, 3);
        }
        long tc = t0 + 2_100_001;
        List<Long> acquired = run(RateLimitScript.of(algorithm), taken, tc, "timed", algorithm, limit, window, 2);
        assertThat(acquired.get(0)).as("acquired").isEqualTo(1);
        assertThat(acquired.get(5)).as("the effective time").isEqualTo(tc);
        refund(taken, tc + 500, algorithm, limit, window, 2, tc);
        for (long later : new long[] {tc + 600, tc + 1_999_999, tc + 5 * S, tc + 9 * S + 7, tc + 25 * S}) {
            for (int cost = 1; cost <= 7; cost += 3) {
                assertThat(run(RateLimitScript.of(algorithm), taken, later, "peek", algorithm, limit, window, cost))
                        .as("%s at +%d µs, cost %d", algorithm, later - tc, cost)
                        .isEqualTo(run(RateLimitScript.of(algorithm), twin, later, "peek", algorithm, limit, window,
                                cost));
            }
        }
    }

    /**
     * A refund after another request committed on the same key later: counts (fixed window, counter, log) are
     * additive, so the key answers exactly like a twin that only saw the other request; a bucket (token bucket, GCRA)
     * may have been refilled to its cap since, so it gives nothing back, and the key never has more than the twin.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aRefundAfterALaterCommitNeverGivesBackMoreThanWasTaken(Algorithm algorithm) {
        String tag = "refund-later-" + UUID.randomUUID();
        String taken = tag + ":{a}:x";
        String twin = tag + ":{b}:x";
        long t0 = ManualClock.DEFAULT_START_MICROS + 3 * S;
        long window = 10 * S;
        String limit = "7";
        run(RateLimitScript.of(algorithm), taken, t0, "timed", algorithm, limit, window, 2);
        for (String key : List.of(taken, twin)) {
            run(RateLimitScript.of(algorithm), key, t0 + S, "", algorithm, limit, window, 1);
        }
        refund(taken, t0 + S + 10, algorithm, limit, window, 2, t0);
        boolean additive = algorithm != Algorithm.TOKEN_BUCKET && algorithm != Algorithm.GCRA;
        for (long later : new long[] {t0 + S + 20, t0 + 4 * S, t0 + 12 * S}) {
            List<Long> mine = run(RateLimitScript.of(algorithm), taken, later, "peek", algorithm, limit, window, 1);
            List<Long> other = run(RateLimitScript.of(algorithm), twin, later, "peek", algorithm, limit, window, 1);
            if (additive) {
                assertThat(mine).as("%s at +%d µs", algorithm, later - t0).isEqualTo(other);
            } else {
                assertThat(mine.get(1)).as("remaining, %s at +%d µs", algorithm, later - t0)
                        .isLessThanOrEqualTo(other.get(1));
            }
        }
    }

    /**
     * Eight threads flood a cluster with requests under a fixed window of 1,000 per hour on the IP and 10 per hour on
     * the API key: exactly ten are admitted, and the IP's counter ends exactly ten down, whatever raced with what.
     */
    @Test
    void underConcurrencyAClusterAdmitsExactlyTheLimitAndRefundsExactly() {
        ManualClock clock = new ManualClock();
        RateLimitRule perIp = rule("per-ip", Algorithm.FIXED_WINDOW, 1_000);
        RateLimitRule perKey = rule("per-key", Algorithm.FIXED_WINDOW, 10);
        List<KeyedRule> request = List.of(new KeyedRule(IP, perIp), new KeyedRule(API, perKey));
        try (RateLimiter limiter = limiter(cluster, clock)) {
            List<Boolean> results = ConcurrentBurst.run(8, 25, (thread, i) -> limiter.acquire(request).allowed());
            assertThat(results.stream().filter(b -> b).count()).isEqualTo(10);
            assertThat(limiter.acquire(IP, perIp).remaining()).isEqualTo(1_000 - 11);
        }
    }

    private static List<Long> run(RateLimitScript script, String key, long now, String mode, Algorithm algorithm,
            String limit, long window, long cost) {
        List<String> args = List.of(now + "/3600000", mode, RateLimitScript.index(algorithm), limit,
                Long.toString(window), Long.toString(cost));
        List<Long> values = new ArrayList<>();
        for (Object value : (List<?>) single.eval(script.text, List.of(key), args)) {
            values.add((Long) value);
        }
        return values;
    }

    private static void refund(String key, long now, Algorithm algorithm, String limit, long window, long cost,
            long committedAt) {
        single.eval(RateLimitScript.REFUND.text, List.of(key), List.of(now + "/3600000", "",
                RateLimitScript.index(algorithm), limit, Long.toString(window), Long.toString(cost),
                Long.toString(committedAt)));
    }
}
