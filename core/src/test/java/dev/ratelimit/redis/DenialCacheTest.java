package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/**
 * The local denial cache against a real Redis of its own (so {@code INFO commandstats} counts only this test's
 * calls): a cached denial makes no Redis call, ends exactly at its retry-after on the controlled clock, is never
 * served for another cost or other rules, never comes from the sliding window counter, stays within its bound, and a
 * limiter with the cache gives the same allowed/denied answers as one without on random requests.
 */
class DenialCacheTest {

    private static RedisServer server;
    private static RedisClient client;

    private final ManualClock clock = new ManualClock();
    private long callsBefore;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        client = server.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @BeforeEach
    void reset() {
        client.flushAll();
        // cached up front (SCRIPT LOAD is not a script call), so a first NOSCRIPT + EVAL does not count twice
        client.scriptLoad(RateLimitScript.ALL.text);
        for (Algorithm algorithm : Algorithm.values()) {
            client.scriptLoad(RateLimitScript.of(algorithm).text);
        }
        callsBefore = 0;
        callsBefore = scriptCalls();
    }

    private RedisRateLimiter limiter(long cacheKeys, String prefix) {
        return RedisRateLimiter.custom().client(client).timeSource(clock).keyPrefix(prefix).denialCache(cacheKeys)
                .build();
    }

    private static RateLimitRule rule(String name, long limit, String window, Algorithm algorithm, int cost) {
        return RateLimitRule.custom().name(name).limit(limit).window(window).algorithm(algorithm).cost(cost).build();
    }

    /** Script calls (EVALSHA and EVAL) made by this test so far. */
    private long scriptCalls() {
        String stats = client.info("commandstats");
        return calls(stats, "evalsha") + calls(stats, "eval") - callsBefore;
    }

    private static long calls(String stats, String command) {
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = "SLIDING_WINDOW_COUNTER", mode = EnumSource.Mode.EXCLUDE)
    void aCachedDenialMakesNoRedisCallAndEndsExactlyAtItsRetryAfter(Algorithm algorithm) {
        RedisRateLimiter limiter = limiter(100, "dc");
        RateLimitRule rule = rule("r", 2, "1m", algorithm, 1);
        assertThat(limiter.acquire("alice", rule).allowed()).isTrue();
        assertThat(limiter.acquire("alice", rule).allowed()).isTrue();
        Decision denied = limiter.acquire("alice", rule);
        assertThat(denied.allowed()).isFalse();
        long retry = denied.retryAfter().toNanos() / 1_000L;
        assertThat(scriptCalls()).isEqualTo(3);

        for (int i = 0; i < 100; i++) {
            Decision cached = limiter.acquire("alice", rule);
            assertThat(cached.allowed()).isFalse();
            assertThat(cached.store()).isEqualTo(Store.REDIS);
            assertThat(cached.retryAfter()).isEqualTo(denied.retryAfter());
        }
        assertThat(scriptCalls()).isEqualTo(3);

        clock.advanceMicros(retry - 1);
        Decision last = limiter.acquire("alice", rule);
        assertThat(last.allowed()).isFalse();
        assertThat(last.retryAfter().toNanos()).isEqualTo(1_000L);
        assertThat(scriptCalls()).isEqualTo(3);

        clock.advanceMicros(1);
        assertThat(limiter.acquire("alice", rule).allowed()).isTrue();
        assertThat(scriptCalls()).isEqualTo(4);
    }

    @Test
    void anotherCostOrOtherRulesOrAnotherKeyAreAskedOfRedis() {
        RedisRateLimiter limiter = limiter(100, "dc");
        RateLimitRule two = rule("r", 3, "1m", Algorithm.TOKEN_BUCKET, 2);
        RateLimitRule other = rule("o", 100, "1m", Algorithm.GCRA, 1);
        assertThat(limiter.acquire("bob", two).allowed()).isTrue();
        assertThat(limiter.acquire("bob", two).allowed()).isFalse();
        assertThat(limiter.acquire("bob", two).allowed()).isFalse(); // cached
        assertThat(scriptCalls()).isEqualTo(2);

        assertThat(limiter.acquire("bob", two.withCost(1)).allowed()).isTrue(); // a smaller cost fits
        assertThat(scriptCalls()).isEqualTo(3);
        assertThat(limiter.acquire("bob", List.of(two, other)).allowed()).isFalse(); // other rules: Redis decides
        assertThat(scriptCalls()).isEqualTo(4);
        assertThat(limiter.acquire("carol", two).allowed()).isTrue(); // another key
        assertThat(scriptCalls()).isEqualTo(5);
        RateLimitRule moreRoom = rule("r", 4, "1m", Algorithm.TOKEN_BUCKET, 2); // same name, other limit
        limiter.acquire("bob", moreRoom);
        assertThat(scriptCalls()).isEqualTo(6);
    }

    @Test
    void slidingWindowCounterDenialsAreNotCachedUnlessAnExactRuleAlsoDenies() {
        RedisRateLimiter limiter = limiter(100, "dc");
        RateLimitRule counter = rule("c", 1, "1m", Algorithm.SLIDING_WINDOW_COUNTER, 1);
        assertThat(limiter.acquire("dave", counter).allowed()).isTrue();
        assertThat(limiter.acquire("dave", counter).allowed()).isFalse();
        assertThat(limiter.acquire("dave", counter).allowed()).isFalse();
        assertThat(scriptCalls()).isEqualTo(3);
        assertThat(limiter.cachedDenials()).isZero();

        RateLimitRule bucket = rule("b", 1, "10s", Algorithm.TOKEN_BUCKET, 1);
        client.flushAll();
        assertThat(limiter.acquire("erin", List.of(counter, bucket)).allowed()).isTrue();
        Decision both = limiter.acquire("erin", List.of(counter, bucket));
        assertThat(both.allowed()).isFalse();
        long before = scriptCalls();
        // the bucket's exact 10 s wait is cached; the counter's longer one is reported but not relied upon
        assertThat(limiter.acquire("erin", List.of(counter, bucket)).allowed()).isFalse();
        assertThat(scriptCalls()).isEqualTo(before);
        clock.advanceMicros(10_000_000L);
        assertThat(limiter.acquire("erin", List.of(counter, bucket)).allowed()).isFalse();
        assertThat(scriptCalls()).isEqualTo(before + 1);
    }

    @Test
    void theCacheHoldsAtMostItsBound() {
        RedisRateLimiter limiter = limiter(10, "dc");
        RateLimitRule rule = rule("r", 1, "1h", Algorithm.FIXED_WINDOW, 1);
        for (int i = 0; i < 200; i++) {
            limiter.acquire("client-" + i, rule);
            assertThat(limiter.acquire("client-" + i, rule).allowed()).isFalse();
        }
        assertThat(limiter.cachedDenials()).isLessThanOrEqualTo(10);
        assertThat(limiter(0, "dc").cachedDenial("client-1", List.of(rule))).isNull();
    }

    @Test
    void theFallbackLimiterServesCachedDenialsWithoutCountingThemAsRedisCalls() {
        RedisRateLimiter redis = limiter(0, "dc");
        try (FallbackRateLimiter limiter = FallbackRateLimiter.custom().primary(redis).denialCache(100)
                .timeSource(clock).build()) {
            RateLimitRule rule = rule("r", 1, "1m", Algorithm.GCRA, 1);
            assertThat(limiter.acquire("frank", rule).allowed()).isTrue();
            assertThat(limiter.acquire("frank", rule).allowed()).isFalse();
            for (int i = 0; i < 50; i++) {
                Decision d = limiter.acquire("frank", rule);
                assertThat(d.allowed()).isFalse();
                assertThat(d.store()).isEqualTo(Store.REDIS);
            }
            assertThat(limiter.circuitBreaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2);
            assertThat(scriptCalls()).isEqualTo(2);
        }
    }

    /**
     * Differential: two limiters on the same Redis (separate key prefixes) and the same clock, one with the cache and
     * one without, take the same random requests — three keys, rule sets mixing all algorithms and sharing counters,
     * random costs, a third of the requests repeating the previous one, time steps of zero, within an emission interval, exactly a recent retry-after or 1 µs less, or
     * up to a window — and must agree on allowed/denied at every step. The cache must have saved calls.
     */
    @Test
    void withAndWithoutTheCacheTheAnswersAreTheSame() {
        Random random = new Random(20_260_801L);
        RedisRateLimiter cached = limiter(1_000, "with");
        RedisRateLimiter plain = limiter(0, "without");
        Algorithm[] algorithms = Algorithm.values();
        List<List<RateLimitRule>> ruleSets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String window = random.nextBoolean() ? "1h" : "1d";
            RateLimitRule a = rule("a" + (i % 3), 2 + random.nextInt(6), window,
                    algorithms[random.nextInt(algorithms.length)], 1 + random.nextInt(3));
            ruleSets.add(List.of(a));
            RateLimitRule b = rule("b" + i, 3 + random.nextInt(8), "1h", algorithms[random.nextInt(algorithms.length)],
                    1 + random.nextInt(2));
            ruleSets.add(List.of(a, b));
        }
        String[] keys = {"k0", "k1", "k2"};
        long lastRetry = 0;
        int denials = 0;
        String key = keys[0];
        List<RateLimitRule> rules = ruleSets.get(0);
        for (int step = 0; step < 1_500; step++) {
            int kind = random.nextInt(8);
            long delta;
            if (kind < 3) {
                delta = 0;
            } else if (kind < 5) {
                delta = random.nextInt(60_000_000);
            } else if (kind == 5 && lastRetry > 0) {
                delta = lastRetry - random.nextInt(2);
            } else {
                delta = (long) (random.nextDouble() * 3_600_000_000L);
            }
            clock.advanceMicros(Math.max(0, delta));
            if (random.nextInt(3) > 0) { // else the same client retries the same request
                key = keys[random.nextInt(keys.length)];
                rules = ruleSets.get(random.nextInt(ruleSets.size()));
            }
            Decision with = cached.acquire(key, rules);
            Decision without = plain.acquire(key, rules);
            assertThat(with.allowed()).as("step %d, %s %s", step, key, rules).isEqualTo(without.allowed());
            if (!without.allowed()) {
                denials++;
                lastRetry = without.retryAfter().toNanos() / 1_000L;
            }
            stepPastShortTtls(key, rules, cached, plain);
        }
        long saved = 2L * 1_500 - scriptCalls(); // the plain limiter called Redis 1,500 times
        assertThat(denials).isGreaterThan(200);
        assertThat(saved).as("calls saved by the cache").isGreaterThan(150);
    }

    /**
     * Redis expires keys in real time while the test's clock is virtual: a state whose TTL is under 5 s is stepped
     * past in virtual time (it is fresh by then), so Redis dropping it in real time changes nothing.
     */
    private void stepPastShortTtls(String key, List<RateLimitRule> rules, RedisRateLimiter... limiters) {
        long longest = 0;
        for (RedisRateLimiter l : limiters) {
            for (RateLimitRule r : rules) {
                long ttl = client.pttl(l.stateKey(key, r));
                if (ttl > 0 && ttl < 5_000) {
                    longest = Math.max(longest, ttl);
                }
            }
        }
        if (longest > 0) {
            clock.advanceMicros(longest * 1_000L);
        }
    }
}
