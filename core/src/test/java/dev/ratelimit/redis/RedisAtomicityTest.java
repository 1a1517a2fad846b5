package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.RedisClient;

/**
 * Proves that the Redis limiter's check-then-act is atomic: many threads on several limiter instances, each instance
 * with its own connection pool, hammer one key and exactly {@code limit} requests get through, never one more.
 */
class RedisAtomicityTest {

    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 50;
    private static final int LIMIT = 200;
    private static final long WINDOW_MICROS = 10_000_000L;

    private static RedisServer redis;
    private static RedisClient clientA;
    private static RedisClient clientB;

    @BeforeAll
    static void connect() {
        redis = RedisServer.shared();
        clientA = redis.client();
        clientB = redis.client();
    }

    @AfterAll
    static void disconnect() {
        clientA.close();
        clientB.close();
    }

    /** Two instances, as two service replicas would have: each with its own Jedis client, sharing the clock. */
    private static List<RedisRateLimiter> twoInstances(String prefix, ManualClock clock) {
        return List.of(limiter(clientA, prefix, clock), limiter(clientB, prefix, clock));
    }

    private static RedisRateLimiter limiter(RedisClient client, String prefix, ManualClock clock) {
        RedisRateLimiter.Builder b = RedisRateLimiter.custom().client(client).keyPrefix(prefix);
        if (clock != null) {
            b.timeSource(clock);
        }
        return b.build();
    }

    private static String uniquePrefix(String what) {
        return "atomic-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * 16 threads over 2 instances send 800 requests at one frozen instant: exactly 200 pass, and each passing request
     * saw a different number of remaining permits (199 down to 0), so no two of them read the same state.
     *
     * <p>SLIDING_WINDOW_COUNTER is exact here too: with time frozen on a fresh key, the previous window's count is 0
     * and the estimate is exactly the current window's count. Its approximation concerns only how admissions spread
     * over time, which {@link #slidingWindowCounterStaysWithinItsBoundOverTime} covers.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void burstAtOneInstantFromTwoInstancesAdmitsExactlyTheLimit(Algorithm algorithm) {
        ManualClock clock = new ManualClock();
        List<RedisRateLimiter> instances = twoInstances(uniquePrefix(algorithm.name()), clock);
        RateLimitRule rule = RateLimitRule.custom().name("burst").limit(LIMIT).window("10s").algorithm(algorithm)
                .build();

        List<Decision> decisions = ConcurrentBurst.run(THREADS, CALLS_PER_THREAD,
                (thread, i) -> instances.get(thread % 2).acquire("one-key", rule));

        assertExactlyLimitAdmitted(decisions, LIMIT);
        assertThat(instances.get(0).acquire("one-key", rule).allowed()).isFalse();
        assertThat(instances.get(1).acquire("one-key", rule).allowed()).isFalse();
    }

    /**
     * Same burst without a time source: the script reads the Redis server's TIME. A 10 s sliding log stays exact as
     * long as the burst takes less than 10 s (it takes well under one): no admitted entry can expire during it.
     */
    @Test
    void burstOnTheServerClockAdmitsExactlyTheLimit() {
        List<RedisRateLimiter> instances = twoInstances(uniquePrefix("server-time"), null);
        RateLimitRule rule = RateLimitRule.custom().name("burst").limit(LIMIT).window("10s")
                .algorithm(Algorithm.SLIDING_WINDOW_LOG).build();

        List<Decision> decisions = ConcurrentBurst.run(THREADS, CALLS_PER_THREAD,
                (thread, i) -> instances.get(thread % 2).acquire("one-key", rule));

        assertExactlyLimitAdmitted(decisions, LIMIT);
        try (RedisClient client = redis.client()) {
            assertThat(client.zcard(instances.get(0).stateKey("one-key", rule))).isEqualTo(LIMIT);
        }
    }

    /**
     * Thousands of permits taken in the same microsecond, single ones and cost-7 ones mixed over 16 threads: each
     * permit must get its own sorted-set member, so the set's cardinality equals the permits admitted, exactly.
     */
    @Test
    void slidingLogMembersStayUniqueWhenThousandsOfPermitsShareOneMicrosecond() {
        int limit = 5000;
        int cost = 7;
        ManualClock clock = new ManualClock();
        List<RedisRateLimiter> instances = twoInstances(uniquePrefix("log-members"), clock);
        RateLimitRule single = RateLimitRule.custom().name("log").limit(limit).window("1m")
                .algorithm(Algorithm.SLIDING_WINDOW_LOG).build();
        RateLimitRule heavy = single.withCost(cost);
        String key = instances.get(0).stateKey("member-key", single);

        // per thread: 300 single-permit requests and 20 of cost 7, i.e. 4800 + 2240 = 7040 permits asked for
        List<Decision> decisions = ConcurrentBurst.run(THREADS, 320,
                (thread, i) -> instances.get(thread % 2).acquire("member-key", i % 16 == 15 ? heavy : single));

        long admittedPermits = decisions.stream().filter(Decision::allowed)
                .mapToLong(d -> d.limits().get(0).rule().cost()).sum();
        assertThat(admittedPermits).isBetween((long) limit - cost + 1, (long) limit);
        if (decisions.stream().anyMatch(d -> !d.allowed() && d.limits().get(0).rule().cost() == 1)) {
            assertThat(admittedPermits).as("a single permit is denied only once the log is full").isEqualTo(limit);
        }

        // fill whatever is left one permit at a time, still in the same microsecond
        long topUp = 0;
        while (instances.get(0).acquire("member-key", single).allowed()) {
            topUp++;
        }
        try (RedisClient client = redis.client()) {
            assertThat(client.zcard(key)).isEqualTo(admittedPermits + topUp).isEqualTo(limit);
            String at = Long.toString(clock.nowMicros());
            assertThat(client.zcount(key, at, at)).isEqualTo(limit);
        }
    }

    /**
     * The sliding-window counter over time. A steady stream at twice the limit's rate (one request every W / 2L)
     * runs for three windows on a controlled clock; we count admissions in every window-length interval.
     *
     * <p>Bound asserted: when the stream starts a fraction {@code phase} into a calendar window, no interval of
     * length W admits more than {@code L * (1 + phase)}; here phase 0 (aligned: exactly L) and 0.5 (at most 1.5 L).
     * The overshoot comes from the first window's burst, which the next window's estimate assumes was spread evenly
     * over the whole previous window. The algorithm's hard bound is 2 L (an interval covers parts of two calendar
     * windows, each admitting at most L); each calendar window of this stream admits exactly L. The admissions also
     * match the in-memory twin's request for request.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.5})
    void slidingWindowCounterStaysWithinItsBoundOverTime(double phase) {
        int limit = 100;
        long step = WINDOW_MICROS / (2 * limit);
        ManualClock clock = new ManualClock();
        long origin = clock.nowMicros() - clock.nowMicros() % WINDOW_MICROS;
        long start = origin + (long) (phase * WINDOW_MICROS);
        long end = origin + 3 * WINDOW_MICROS;
        clock.set(start);
        RedisRateLimiter limiter = limiter(clientA, uniquePrefix("counter-stream"), clock);
        ManualClock twinClock = new ManualClock(start);
        InMemoryRateLimiter twin = InMemoryRateLimiter.custom().timeSource(twinClock).build();
        RateLimitRule rule = RateLimitRule.custom().name("stream").limit(limit).window("10s")
                .algorithm(Algorithm.SLIDING_WINDOW_COUNTER).build();

        List<Long> admitted = new ArrayList<>();
        List<Long> twinAdmitted = new ArrayList<>();
        while (clock.nowMicros() < end) {
            if (limiter.acquire("stream-key", rule).allowed()) {
                admitted.add(clock.nowMicros());
            }
            if (twin.acquire("stream-key", rule).allowed()) {
                twinAdmitted.add(twinClock.nowMicros());
            }
            clock.advanceMicros(step);
            twinClock.advanceMicros(step);
        }

        assertThat(admitted).as("Redis and in-memory admit the same requests").isEqualTo(twinAdmitted);
        Map<Long, Long> perCalendarWindow = admitted.stream()
                .collect(Collectors.groupingBy(t -> (t - origin) / WINDOW_MICROS, TreeMap::new, Collectors.counting()));
        assertThat(perCalendarWindow).isEqualTo(Map.of(0L, (long) limit, 1L, (long) limit,
                2L, (long) limit));
        int maxInAnyWindow = maxInAnyInterval(admitted, WINDOW_MICROS);
        assertThat(maxInAnyWindow).isGreaterThanOrEqualTo(limit)
                .isLessThanOrEqualTo((int) Math.round(limit * (1 + phase)))
                .isLessThanOrEqualTo(2 * limit);
    }

    /** The most timestamps (sorted ascending) that fall in one half-open interval [s, s + length). */
    private static int maxInAnyInterval(List<Long> sortedTimes, long length) {
        int max = 0;
        int first = 0;
        for (int last = 0; last < sortedTimes.size(); last++) {
            while (sortedTimes.get(last) - sortedTimes.get(first) >= length) {
                first++;
            }
            max = Math.max(max, last - first + 1);
        }
        return max;
    }

    /** Exactly {@code limit} admitted, each having seen a distinct remaining count, and every denial has a retry. */
    private static void assertExactlyLimitAdmitted(List<Decision> decisions, int limit) {
        assertThat(decisions).hasSize(THREADS * CALLS_PER_THREAD);
        List<Long> remainingSeen = decisions.stream().filter(Decision::allowed).map(Decision::remaining).sorted()
                .collect(Collectors.toList());
        assertThat(remainingSeen).hasSize(limit)
                .containsExactlyElementsOf(LongStream.range(0, limit).boxed().collect(Collectors.toList()));
        assertThat(decisions.stream().filter(d -> !d.allowed()))
                .hasSize(THREADS * CALLS_PER_THREAD - limit)
                .allSatisfy(d -> assertThat(d.retryAfter()).isPositive());
    }
}
