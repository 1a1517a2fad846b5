package dev.ratelimit.contract;

import dev.ratelimit.contract.ModelPropertyTest.Harness;
import dev.ratelimit.contract.ModelPropertyTest.OpenBreakerFallback;
import dev.ratelimit.contract.ModelPropertyTest.RedisHarness;
import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.model.ReferenceModel;
import dev.ratelimit.model.ReferenceModel.Outcome;
import dev.ratelimit.model.ReferenceModel.Refund;
import dev.ratelimit.model.ReferenceModel.Write;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.Property;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;

/**
 * Issue 21 against the {@link ReferenceModel}: random sequences of requests (one or two rules of all five algorithms,
 * random costs), peeks, refunds (from 1 permit to far more than the limit), resets and blocks (1 ms to two minutes),
 * with the clock moving forward by random steps, onto and just before a block's end, and now and then back, are run
 * against the in-memory limiter, the Redis limiter (single and Cluster), the fallback limiter with a closed breaker in
 * front of Redis, and the fallback limiter whose breaker is open (its in-memory fallback). Every rule's allowed flag,
 * remaining, reset, retry-after and next, of requests and peeks, must be exactly the model's; a peek must leave the
 * states as they were (on Redis, byte for byte; everywhere, the next steps' answers check it); after a reset, block or
 * refund the Redis key must exist exactly when the model holds a state, a block with exactly its TTL.
 *
 * <p>Forgetting is lazy, and Redis's keys expire on the virtual clock, as in {@link ModelPropertyTest} (whose
 * harnesses this reuses). Seeds and tries: see {@link Property} ({@code -Dratelimit.pbt.seed=…},
 * {@code -Dratelimit.pbt.tries=…}).
 */
class OperationsModelPropertyTest {

    private static final long MS = 1_000L;
    private static final long[] WINDOWS_MS = {1, 250, 1_000, 10_000, 60_000};
    private static final List<String> KEYS = List.of("a", "b");

    @Test
    void inMemoryOperationsAnswerExactlyLikeTheModel() {
        check("memory", 21_001L, 8_000, clock -> new Harness(InMemoryRateLimiter.custom().timeSource(clock).build(),
                Store.MEMORY));
    }

    @Test
    void redisOperationsAnswerExactlyLikeTheModel() {
        try (RedisClient client = RedisServer.shared().client()) {
            check("redis", 21_002L, 400, clock -> new RedisHarness(client, clock));
        }
    }

    @Test
    void redisClusterOperationsAnswerExactlyLikeTheModel() {
        RedisClusterClient cluster = RedisCluster.shared().client();
        check("redis-cluster", 21_003L, 300, clock -> new RedisHarness(cluster, clock));
    }

    /** The fallback limiter with a closed breaker: every operation goes to Redis, and its decisions are Redis's. */
    @Test
    void fallbackWithAClosedBreakerOperatesOnRedisExactlyLikeTheModel() {
        try (RedisClient client = RedisServer.shared().client()) {
            check("fallback-closed", 21_004L, 300, clock -> {
                RedisRateLimiter redis = RedisHarness.limiter(client, clock);
                FallbackRateLimiter fallback = FallbackRateLimiter.custom().primary(redis)
                        .fallback(InMemoryRateLimiter.custom().timeSource(clock).build()).timeSource(clock)
                        .config(FallbackConfig.custom().policy(FailurePolicy.FALLBACK).instanceCount(1).build())
                        .build();
                return new RedisHarness(client, redis, fallback);
            });
        }
    }

    /** The fallback limiter with an open breaker: every operation goes to its in-memory fallback. */
    @Test
    void fallbackWithAnOpenBreakerOperatesOnItsFallbackExactlyLikeTheModel() {
        try (OpenBreakerFallback fallback = new OpenBreakerFallback()) {
            check("fallback-open", 21_005L, 4_000, fallback::open);
        }
    }

    // ============================================================================================ the cases

    enum Op { ACQUIRE, PEEK, REFUND, BLOCK, RESET }

    /** How the clock moves before a step. */
    enum Move {
        /** No move. */
        STAY,
        /** Forward by {@code micros}. */
        FORWARD,
        /** Back by {@code micros}. */
        BACK,
        /** Onto the end of the last block (if it is ahead). */
        TO_BLOCK_END,
        /** To 1 µs before the end of the last block (if it is ahead). */
        BEFORE_BLOCK_END
    }

    /**
     * One step: a clock move, then an operation on {@code key} and rule {@code rule} (an index into the case's rules).
     * {@code amount} is the request's cost, the refund's permits or the block's duration (µs); {@code other}, when not
     * -1, is a second rule of a request or peek (cost 1).
     */
    record Step(Move move, long micros, Op op, String key, int rule, long amount, int other) {

        @Override
        public String toString() {
            String how = switch (move) {
                case STAY -> "+0";
                case FORWARD -> "+" + micros + "µs";
                case BACK -> "BACK " + micros + "µs";
                case TO_BLOCK_END -> "+to the block's end";
                case BEFORE_BLOCK_END -> "+to the block's end - 1µs";
            };
            String what = switch (op) {
                case ACQUIRE, PEEK -> op + " r" + rule + " ×" + amount + (other < 0 ? "" : " + r" + other + " ×1");
                case REFUND -> "REFUND r" + rule + " " + amount;
                case BLOCK -> "BLOCK r" + rule + " for " + amount + "µs";
                case RESET -> "RESET r" + rule;
            };
            return String.format(Locale.ROOT, "%-26s %s %s", how, key, what);
        }
    }

    /** A case: three rules (r0, r1, r2) and the steps. */
    record Case(List<RateLimitRule> rules, List<Step> steps) {

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < rules.size(); i++) {
                RateLimitRule r = rules.get(i);
                b.append(String.format(Locale.ROOT, "  r%d = %s %d per %d ms%n", i, r.algorithm(), r.limit(),
                        r.windowMicros() / MS));
            }
            for (int i = 0; i < steps.size(); i++) {
                b.append(String.format(Locale.ROOT, "  %3d. %s%n", i + 1, steps.get(i)));
            }
            return b.toString();
        }
    }

    static Case generate(Random r) {
        List<RateLimitRule> rules = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Algorithm algorithm = Algorithm.values()[r.nextInt(Algorithm.values().length)];
            long limit = r.nextInt(6) == 0 ? 1 + r.nextInt(1_000) : 1 + r.nextInt(5);
            rules.add(RateLimitRule.custom().name("r" + i).algorithm(algorithm).limit(limit)
                    .window(Duration.ofMillis(WINDOWS_MS[r.nextInt(WINDOWS_MS.length)])).build());
        }
        int n = 20 + r.nextInt(41);
        List<Step> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            steps.add(step(r, rules));
        }
        return new Case(rules, steps);
    }

    private static Step step(Random r, List<RateLimitRule> rules) {
        Move move;
        long micros = 0;
        int m = r.nextInt(20);
        if (m < 6) {
            move = Move.STAY;
        } else if (m < 12) {
            move = Move.FORWARD;
            micros = r.nextInt(1_500) * MS + r.nextInt(1_000);
        } else if (m < 14) {
            move = Move.FORWARD;
            micros = r.nextInt(70_000) * MS;
        } else if (m < 16) {
            move = Move.TO_BLOCK_END;
        } else if (m < 17) {
            move = Move.BEFORE_BLOCK_END;
        } else {
            move = Move.BACK;
            long[] back = {1, 1 + r.nextInt(1_000), 1 + r.nextInt(300) * MS, 1 + r.nextInt(3_000) * MS};
            micros = back[r.nextInt(back.length)];
        }
        String key = KEYS.get(r.nextInt(KEYS.size()));
        int rule = r.nextInt(rules.size());
        long limit = rules.get(rule).limit();
        int k = r.nextInt(20);
        if (k == 0) {
            return new Step(move, micros, Op.RESET, key, rule, 0, -1);
        } else if (k <= 2) {
            long duration = (1 + (r.nextBoolean() ? r.nextInt(2_000) : r.nextInt(120_000))) * MS;
            return new Step(move, micros, Op.BLOCK, key, rule, duration, -1);
        } else if (k <= 6) {
            long[] permits = {1, 1, 1 + r.nextInt((int) limit), limit, limit + 1 + r.nextInt(3),
                Long.MAX_VALUE};
            return new Step(move, micros, Op.REFUND, key, rule, permits[r.nextInt(permits.length)], -1);
        }
        Op op = k <= 10 ? Op.PEEK : Op.ACQUIRE;
        long cost = r.nextInt(3) == 0 ? limit : 1 + r.nextInt((int) Math.min(limit, 5));
        int other = r.nextInt(3) == 0 ? (rule + 1 + r.nextInt(rules.size() - 1)) % rules.size() : -1;
        return new Step(move, micros, op, key, rule, cost, other);
    }

    /** Fewer steps; simpler moves; a single rule per request; cost and permits 1. */
    static List<Case> shrink(Case c) {
        List<Case> out = new ArrayList<>();
        for (List<Step> steps : Property.shrinkList(c.steps(), OperationsModelPropertyTest::simpler)) {
            out.add(new Case(c.rules(), steps));
        }
        return out;
    }

    private static List<Step> simpler(Step s) {
        List<Step> out = new ArrayList<>();
        if (s.move() != Move.STAY) {
            out.add(new Step(Move.STAY, 0, s.op(), s.key(), s.rule(), s.amount(), s.other()));
        }
        if ((s.move() == Move.FORWARD || s.move() == Move.BACK) && s.micros() > 1) {
            out.add(new Step(s.move(), s.micros() / 2, s.op(), s.key(), s.rule(), s.amount(), s.other()));
        }
        if (s.other() >= 0) {
            out.add(new Step(s.move(), s.micros(), s.op(), s.key(), s.rule(), s.amount(), -1));
        }
        if ((s.op() == Op.ACQUIRE || s.op() == Op.PEEK || s.op() == Op.REFUND) && s.amount() > 1) {
            out.add(new Step(s.move(), s.micros(), s.op(), s.key(), s.rule(), 1, s.other()));
        }
        if (!s.key().equals(KEYS.get(0))) {
            out.add(new Step(s.move(), s.micros(), s.op(), KEYS.get(0), s.rule(), s.amount(), s.other()));
        }
        return out;
    }

    // ============================================================================================ running

    @FunctionalInterface
    private interface HarnessFactory {
        Harness open(ManualClock clock);
    }

    private static void check(String store, long seed, int tries, HarnessFactory factory) {
        Property<Case> property = new Property<>("OperationsModelPropertyTest[" + store + "]", seed, tries,
                OperationsModelPropertyTest::generate, OperationsModelPropertyTest::shrink, Case::toString)
                .shrinkBudget(2_000, 20);
        long[] steps = new long[Op.values().length];
        long began = System.nanoTime();
        property.check(c -> run(c, factory, property.shrinking() ? new long[steps.length] : steps));
        List<String> counts = new ArrayList<>();
        for (Op op : Op.values()) {
            counts.add(String.format(Locale.ROOT, "%,d %s", steps[op.ordinal()], op.name().toLowerCase(Locale.ROOT)));
        }
        System.out.printf(Locale.ROOT, "OperationsModelPropertyTest[%s]: seed %d, %d cases, steps: %s (%.1f s)%n",
                store, property.seed(), property.tries(), String.join(", ", counts), (System.nanoTime() - began) / 1e9);
    }

    /** Runs one case against a fresh limiter and a fresh model; throws AssertionError at the first disagreement. */
    private static void run(Case c, HarnessFactory factory, long[] counts) {
        ManualClock clock = new ManualClock();
        ReferenceModel model = new ReferenceModel();
        Deque<String> trace = new ArrayDeque<>();
        long latest = clock.nowMicros();
        long blockEnd = -1;
        try (Harness h = factory.open(clock)) {
            for (int i = 0; i < c.steps().size(); i++) {
                Step s = c.steps().get(i);
                long t = clock.nowMicros();
                switch (s.move()) {
                    case FORWARD -> t += s.micros();
                    case BACK -> t -= s.micros();
                    case TO_BLOCK_END -> t = Math.max(t, blockEnd);
                    case BEFORE_BLOCK_END -> t = Math.max(t, blockEnd - 1);
                    default -> { }
                }
                RateLimitRule rule = c.rules().get(s.rule());
                KeyedRule keyed = new KeyedRule(s.key(), rule);
                List<KeyedRule> touched = new ArrayList<>();
                touched.add(s.op() == Op.ACQUIRE || s.op() == Op.PEEK
                        ? new KeyedRule(s.key(), rule.withCost((int) s.amount())) : keyed);
                if (s.other() >= 0) {
                    touched.add(new KeyedRule(s.key(), c.rules().get(s.other())));
                }
                t = ModelPropertyTest.pastDroppedStates(t, latest, touched, model);
                latest = Math.max(latest, t);
                clock.set(t);
                String where = String.format(Locale.ROOT, "step %d at t=%d: %s", i + 1, t, s);
                trace.addLast(where);
                if (trace.size() > 16) {
                    trace.removeFirst();
                }
                counts[s.op().ordinal()]++;
                h.beforeStep(t, touched);
                try {
                    switch (s.op()) {
                        case ACQUIRE, PEEK -> request(h, model, t, s.op() == Op.PEEK, s.key(), touched, trace);
                        case RESET -> {
                            model.reset(keyed);
                            h.limiter.reset(s.key(), rule);
                            h.afterOperation(keyed, Long.MAX_VALUE, null);
                        }
                        case BLOCK -> {
                            Write w = model.block(t, keyed, s.amount());
                            h.limiter.block(s.key(), rule, Duration.ofNanos(s.amount() * 1_000L));
                            h.afterOperation(keyed, w.expiryMicros(), w);
                            blockEnd = t + s.amount();
                        }
                        case REFUND -> {
                            Refund refund = model.refund(t, keyed, s.amount());
                            h.limiter.refund(s.key(), rule, s.amount());
                            trace.addLast("    model  " + refund);
                            h.afterOperation(keyed, refund.expiryMicros(), null);
                        }
                        default -> throw new IllegalStateException(s.op().toString());
                    }
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nthe last steps:\n" + String.join("\n", trace),
                            e.getCause());
                } catch (RuntimeException e) {
                    throw new AssertionError("the store threw " + e + "\nthe last steps:\n"
                            + String.join("\n", trace), e);
                }
            }
            h.finish();
        }
    }

    /** A request or a peek: the decision must be the model's; a peek must leave the states as they were. */
    private static void request(Harness h, ReferenceModel model, long t, boolean peek, String key,
            List<KeyedRule> rules, Deque<String> trace) {
        List<RateLimitRule> plain = new ArrayList<>();
        for (KeyedRule r : rules) {
            plain.add(r.rule());
        }
        Outcome expected = peek ? model.peek(t, rules) : model.acquire(t, rules);
        // a peek writes nothing but a state carried over to a changed rule (none here: its writes are checked if any)
        List<String> before = peek && expected.writes().isEmpty() ? h.snapshot(rules) : null;
        if (before == null) {
            h.beforeCall(rules, expected);
        }
        Decision d = peek ? h.limiter.peek(key, plain) : h.limiter.acquire(key, plain);
        trace.addLast("    model  " + ModelPropertyTest.show(expected) + "\n    store  " + ModelPropertyTest.show(d));
        String mismatch = ModelPropertyTest.mismatch(expected, d, rules, h.store);
        if (mismatch != null) {
            throw new AssertionError("the store disagrees with the model (" + mismatch + ")");
        }
        if (before != null) {
            List<String> after = h.snapshot(rules);
            if (!after.equals(before)) {
                throw new AssertionError("a peek changed the states from " + before + " to " + after);
            }
        } else {
            h.afterCall(rules, expected, t);
        }
    }
}
