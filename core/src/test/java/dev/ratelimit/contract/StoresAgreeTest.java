package dev.ratelimit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/**
 * Differential test: an in-memory limiter and a Redis limiter, driven by the same {@link ManualClock} through the same
 * random requests (fixed seed), must give identical {@link Decision#limits()} at every step. The Lua scripts and
 * their Java twins claim the same arithmetic, down to the microsecond and the double operation; this checks it on
 * states no hand-written test thinks of (random limits and windows, µs offsets, costs up to the limit, several
 * keys, two rules of mixed algorithms in one call, steps landing exactly on, or 1 µs before, a retry-after).
 */
class StoresAgreeTest {

    private static final int STEPS = 400;
    private static final String[] WINDOWS = {"30s", "1m", "90s", "1h", "1d"};
    private static final String[] KEYS = {"k0", "k1", "k2"};
    /**
     * Redis expires keys on its own clock (real time) while the test's clock is virtual. A state written with a TTL
     * shorter than this is stepped past before any next request, so Redis never drops a key that, in virtual time,
     * still matters; longer TTLs outlast the whole test run.
     */
    private static final long SHORT_TTL_MICROS = 5_000_000L;

    private static RedisClient client;

    @BeforeAll
    static void connect() {
        client = RedisServer.shared().client();
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    /**
     * {@value #STEPS} random steps per algorithm: a random key, one rule of the algorithm under test (main or second)
     * or two rules (one of them of a random algorithm), each with a random cost from 1 to its limit, after a
     * random time step from 0 to 1.5 windows of the main rule (a quarter none, a third within one emission interval
     * {@code W / L}, one in eight exactly the last retry-after or 1 µs less, the rest anywhere up to 1.5 W).
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void inMemoryAndRedisGiveIdenticalAnswersAtEveryStep(Algorithm algorithm) {
        Random random = new Random(20_260_101L + 7919L * algorithm.ordinal());
        ManualClock clock = new ManualClock(ManualClock.DEFAULT_START_MICROS + random.nextInt(1_000_000_000));
        RateLimitRule main = randomRule(random, "main", algorithm);
        RateLimitRule second = randomRule(random, "second", algorithm);
        Algorithm[] algorithms = Algorithm.values();
        RateLimitRule other = randomRule(random, "other", algorithms[random.nextInt(algorithms.length)]);
        long window = main.windowMicros();
        long interval = Math.max(1, window / main.limit());
        Deque<String> recent = new ArrayDeque<>();
        int allowed = 0;
        int denied = 0;
        int multi = 0;

        try (InMemoryRateLimiter memory = InMemoryRateLimiter.custom().timeSource(clock).build();
                RedisRateLimiter redis = RedisRateLimiter.custom().client(client).timeSource(clock)
                        .keyPrefix("agree-" + UUID.randomUUID()).build()) {
            Decision previous = null;
            for (int step = 0; step < STEPS; step++) {
                long delta;
                int kind = random.nextInt(8);
                long lastRetry = previous == null ? 0 : previous.retryAfter().toNanos() / 1_000L;
                if (kind < 2) {
                    delta = 0;
                } else if (kind < 5) {
                    delta = nextLong(random, interval + 1);
                } else if (kind == 5 && lastRetry > 0 && lastRetry <= window + window / 2) {
                    delta = lastRetry - random.nextInt(2);
                } else {
                    delta = nextLong(random, window + window / 2 + 1);
                }
                if (previous != null && previous.allowed() && minReset(previous) < SHORT_TTL_MICROS) {
                    delta = Math.max(delta, SHORT_TTL_MICROS);
                }
                clock.advanceMicros(delta);

                String key = KEYS[random.nextInt(KEYS.length)];
                List<RateLimitRule> rules = new ArrayList<>();
                int shape = random.nextInt(20);
                if (shape < 11) {
                    rules.add(withRandomCost(random, main));
                } else if (shape < 14) {
                    rules.add(withRandomCost(random, second));
                } else if (shape < 17) {
                    rules.add(withRandomCost(random, main));
                    rules.add(withRandomCost(random, other));
                } else {
                    rules.add(withRandomCost(random, other));
                    rules.add(withRandomCost(random, second));
                }

                Decision m = memory.acquire(key, rules);
                Decision r = redis.acquire(key, rules);
                String line = "step " + step + " at +" + delta + " µs (t=" + clock.nowMicros() + ") key " + key
                        + " " + rules + "\n    memory " + m.limits() + "\n    redis  " + r.limits();
                recent.addLast(line);
                if (recent.size() > 8) {
                    recent.removeFirst();
                }
                assertThat(r.limits()).as("the stores disagree; last steps:\n%s", String.join("\n", recent))
                        .isEqualTo(m.limits());
                assertThat(r.allowed()).isEqualTo(m.allowed());
                assertThat(r.retryAfter()).isEqualTo(m.retryAfter());
                if (m.allowed()) {
                    allowed++;
                } else {
                    denied++;
                }
                if (rules.size() > 1) {
                    multi++;
                }
                previous = m;
            }
        }
        // the walk explored both outcomes and both shapes of call
        assertThat(allowed).as("allowed steps").isGreaterThan(STEPS / 10);
        assertThat(denied).as("denied steps").isGreaterThan(STEPS / 10);
        assertThat(multi).as("two-rule steps").isGreaterThan(STEPS / 10);
    }

    /**
     * {@code docs/algorithms.md} says GCRA admits exactly what a token bucket of the same rule admits, with the same
     * remaining count. Two in-memory limiters on one clock, one per algorithm, get the same random requests (limits
     * 1 to 9, costs 1 to the limit, steps from 0 to 1.5 windows): every step's allowed, remaining, reset and
     * retry-after must match.
     */
    @Test
    void gcraAnswersExactlyLikeATokenBucketOfTheSameRule() {
        Random random = new Random(42L);
        ManualClock clock = new ManualClock(ManualClock.DEFAULT_START_MICROS + random.nextInt(1_000_000_000));
        try (InMemoryRateLimiter bucket = InMemoryRateLimiter.custom().timeSource(clock).build();
                InMemoryRateLimiter gcra = InMemoryRateLimiter.custom().timeSource(clock).build()) {
            for (int round = 0; round < 5; round++) {
                RateLimitRule rule = randomRule(random, "r" + round, Algorithm.TOKEN_BUCKET);
                RateLimitRule twin = rule.toBuilder().algorithm(Algorithm.GCRA).build();
                long window = rule.windowMicros();
                for (int step = 0; step < STEPS / 5; step++) {
                    int kind = random.nextInt(4);
                    clock.advanceMicros(kind == 0 ? 0 : kind < 3 ? nextLong(random, window / rule.limit() + 1)
                            : nextLong(random, window + window / 2 + 1));
                    int cost = 1 + random.nextInt((int) rule.limit());
                    RuleOutcome b = bucket.acquire("k", rule.withCost(cost)).limits().get(0);
                    RuleOutcome g = gcra.acquire("k", twin.withCost(cost)).limits().get(0);
                    assertThat(List.of(g.allowed(), g.remaining(), g.resetMicros(), g.retryMicros()))
                            .as("round %d step %d, %s at t=%d: token bucket %s, GCRA %s", round, step, rule,
                                    clock.nowMicros(), b, g)
                            .isEqualTo(List.of(b.allowed(), b.remaining(), b.resetMicros(), b.retryMicros()));
                }
            }
        }
    }

    private static RateLimitRule randomRule(Random random, String name, Algorithm algorithm) {
        return RateLimitRule.custom()
                .name(name)
                .limit(1 + random.nextInt(9))
                .window(WINDOWS[random.nextInt(WINDOWS.length)])
                .algorithm(algorithm)
                .build();
    }

    private static RateLimitRule withRandomCost(Random random, RateLimitRule rule) {
        return rule.withCost(1 + random.nextInt((int) rule.limit()));
    }

    private static long minReset(Decision d) {
        long min = Long.MAX_VALUE;
        for (RuleOutcome s : d.limits()) {
            min = Math.min(min, s.resetMicros());
        }
        return min;
    }

    /** A uniform long in {@code [0, bound)}. */
    private static long nextLong(Random random, long bound) {
        return (long) (random.nextDouble() * bound);
    }
}
