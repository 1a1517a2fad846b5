package dev.ratelimit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.model.ReferenceModel;
import dev.ratelimit.model.ReferenceModel.Outcome;
import dev.ratelimit.model.ReferenceModel.RuleResult;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.redis.RedisTestAccess;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Issue 21 against the {@link ReferenceModel}: random sequences of requests (one or two rules of all five algorithms,
 * random costs), resets and blocks (from 1 ms to two minutes), with the clock moving forward by random steps, onto
 * and just before a block's end, are run against the in-memory and the Redis limiter; every rule's allowed flag,
 * remaining, reset, retry-after and next must be exactly the model's. (Time only moves forward here: a state past its
 * expiry then equals a fresh one, so the model's lazy forgetting and Redis's padded TTLs agree without the key
 * bookkeeping of {@link ModelPropertyTest}; steps back across a block are in the contract.)
 */
class OperationsModelPropertyTest {

    private static final long MS = 1_000L;
    private static final long[] WINDOWS_MS = {1, 250, 1_000, 10_000, 60_000};

    @Test
    void inMemoryOperationsAnswerExactlyLikeTheModel() {
        check(clock -> InMemoryRateLimiter.custom().timeSource(clock).build(), 21_001L, 300);
    }

    @Test
    void redisOperationsAnswerExactlyLikeTheModel() {
        try (RedisClient client = RedisServer.shared().client()) {
            check(clock -> RedisTestAccess.ttlPadding(RedisRateLimiter.custom().client(client).timeSource(clock)
                    .keyPrefix("ops-pbt-" + UUID.randomUUID()), Duration.ofHours(1)).build(), 21_002L, 60);
        }
    }

    private static void check(Function<TimeSource, RateLimiter> factory, long seed, int cases) {
        Random random = new Random(seed);
        for (int c = 0; c < cases; c++) {
            long caseSeed = random.nextLong();
            ManualClock clock = new ManualClock();
            try (RateLimiter limiter = factory.apply(clock)) {
                run(new Random(caseSeed), clock, limiter, "seed " + caseSeed);
            }
        }
    }

    private static void run(Random r, ManualClock clock, RateLimiter limiter, String where) {
        List<RateLimitRule> rules = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Algorithm algorithm = Algorithm.values()[r.nextInt(Algorithm.values().length)];
            rules.add(RateLimitRule.custom().name("r" + i).algorithm(algorithm).limit(1 + r.nextInt(5))
                    .window(Duration.ofMillis(WINDOWS_MS[r.nextInt(WINDOWS_MS.length)])).build());
        }
        List<String> keys = List.of("a", "b");
        ReferenceModel model = new ReferenceModel();
        List<String> trace = new ArrayList<>();
        long lastBlockEnd = -1;
        for (int step = 0; step < 60; step++) {
            int what = r.nextInt(20);
            String key = keys.get(r.nextInt(keys.size()));
            RateLimitRule rule = rules.get(r.nextInt(rules.size()));
            long t = clock.nowMicros();
            if (what == 0) {
                trace.add(t + " reset " + key + " " + rule);
                limiter.reset(key, rule);
                model.reset(new KeyedRule(key, rule));
            } else if (what <= 2) {
                long duration = (1 + (r.nextBoolean() ? r.nextInt(2_000) : r.nextInt(120_000))) * MS;
                trace.add(t + " block " + key + " " + rule + " for " + duration + " us");
                limiter.block(key, rule, Duration.ofNanos(duration * 1_000L));
                model.block(t, new KeyedRule(key, rule), duration);
                lastBlockEnd = t + duration;
            } else {
                List<RateLimitRule> request = new ArrayList<>();
                request.add(rule.withCost(1 + r.nextInt((int) rule.limit())));
                RateLimitRule other = rules.get(r.nextInt(rules.size()));
                if (r.nextInt(3) == 0 && !other.name().equals(rule.name())) {
                    request.add(other);
                }
                List<KeyedRule> keyed = new ArrayList<>();
                for (RateLimitRule q : request) {
                    keyed.add(new KeyedRule(key, q));
                }
                trace.add(t + " acquire " + key + " " + request);
                Decision d = limiter.acquire(key, request);
                Outcome expected = model.acquire(t, keyed);
                for (int i = 0; i < request.size(); i++) {
                    RuleOutcome got = d.limits().get(i);
                    RuleResult want = expected.rules().get(i);
                    assertThat(new long[] {got.allowed() ? 1 : 0, got.remaining(), got.resetMicros(),
                        got.retryMicros(), got.nextMicros()})
                            .as("%s, rule %d, after:%n%s", where, i, String.join("\n", trace))
                            .containsExactly(want.allowed() ? 1 : 0, want.remaining(), want.resetMicros(),
                                    want.retryMicros(), want.nextMicros());
                }
            }
            // time: onto or just before a block's end now and then, else a random step forward
            long now = clock.nowMicros();
            int move = r.nextInt(6);
            if (move == 0 && lastBlockEnd > now) {
                clock.set(lastBlockEnd - (r.nextBoolean() ? 1 : 0));
            } else if (move <= 2) {
                clock.set(now + r.nextInt(1_500) * MS + r.nextInt(1_000));
            } else if (move == 3) {
                clock.set(now + r.nextInt(70_000) * MS);
            }
        }
    }
}
