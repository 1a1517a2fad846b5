package dev.ratelimit.contract;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.model.ReferenceModel;
import dev.ratelimit.model.ReferenceModel.Outcome;
import dev.ratelimit.model.ReferenceModel.RuleResult;
import dev.ratelimit.model.ReferenceModel.Write;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.redis.RedisTestAccess;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.Property;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

/**
 * Property-based test of issue 16: random sequences of calls (random time steps, including steps back, onto and just
 * before the last retry-after and the next state expiry; one to three rules of all five algorithms with windows from
 * 1 ms to 366 days, limits from 1 to the maximum, costs from 1 to the limit, counters sharing a name, rules of different
 * client keys in one call) are run against each store and, step by step, against the exact {@link ReferenceModel}.
 * At every step each rule's allowed flag, remaining, reset, retry-after and next, the decision's flag and retry-after and
 * the store must be exactly the model's, and no exception may escape. On Redis, also: a denied call leaves every
 * state key byte-identical; every key written has exactly the TTL the spec gives (plus the test padding), is no
 * bigger than documented (a string of at most 48 bytes, or a log of at most {@code limit} entries); no key is left
 * without a TTL. After every denial (whatever the effective times: reset and retry-after count from the call's own
 * clock reading), advancing exactly by the retry-after makes the same request pass.
 *
 * <p>Forgetting is lazy, as the spec says: a state is forgotten when a call whose own clock reading is at or after
 * its expiry touches it (see {@link ReferenceModel}). Redis expires keys on its own clock while the test's clock is
 * virtual: the limiters are built with a TTL padding of {@link #TTL_PADDING}, so no key expires in real time, and
 * before each step the test deletes those of the step's keys whose TTL, counted on the virtual clock from their
 * write, has run out at the step's reading; the keys the step does not touch stay, even past their expiry.
 *
 * <p>Seeds and tries: see {@link Property} ({@code -Dratelimit.pbt.seed=…}, {@code -Dratelimit.pbt.tries=…}).
 * {@code -Dratelimit.pbt.keyed=false} leaves out calls through {@code acquire(List<KeyedRule>)};
 * {@code -Dratelimit.pbt.back=false} leaves out steps back in time.
 */
class ModelPropertyTest {

    private static final Duration TTL_PADDING = Duration.ofHours(1);
    /** How far below {@code px + padding} a fresh key's PTTL may be (the time between the write and the PTTL). */
    private static final long PTTL_SLACK_MILLIS = 5_000;
    private static final int MAX_STATE_STRING_BYTES = 48;
    private static final boolean KEYED = Boolean.parseBoolean(System.getProperty("ratelimit.pbt.keyed", "true"));
    private static final boolean BACK = Boolean.parseBoolean(System.getProperty("ratelimit.pbt.back", "true"));
    private static final List<String> KEYS = List.of("k0", "k1", "k2");
    private static final long MS = 1_000L;
    private static final long SECOND = 1_000_000L;
    private static final long HOUR = 3_600 * SECOND;
    private static final long DAY = 24 * HOUR;
    private static final long[] WINDOW_EXTREMES_MS = {1, 1_000, 3_600_000, 30 * 86_400_000L, 366 * 86_400_000L};
    private static final AtomicLong PREFIXES = new AtomicLong();

    private static RedisClient redis;

    @BeforeAll
    static void connect() {
        redis = RedisServer.shared().client();
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @Test
    void inMemoryAnswersExactlyLikeTheModel() {
        check("memory", 16_001L, 40_000, clock -> new Harness(
                InMemoryRateLimiter.custom().timeSource(clock).build(), Store.MEMORY));
    }

    @Test
    void redisAnswersExactlyLikeTheModel() {
        check("redis", 16_002L, 2_000, clock -> new RedisHarness(redis, clock));
    }

    @Test
    void redisClusterAnswersExactlyLikeTheModel() {
        RedisClusterClient cluster = RedisCluster.shared().client();
        check("redis-cluster", 16_003L, 1_500, clock -> new RedisHarness(cluster, clock));
    }

    /**
     * The fallback limiter deciding with its in-memory fallback (policy FALLBACK, one instance, the breaker forced
     * open, a primary that could never answer anyway: nothing listens on port 1). One fallback limiter serves the
     * whole property, as forcing its breaker open logs a warning; each case gets a fresh in-memory fallback on its own
     * clock behind it.
     */
    @Test
    void fallbackAnswersExactlyLikeTheModel() {
        try (OpenBreakerFallback fallback = new OpenBreakerFallback()) {
            check("fallback", 16_004L, 20_000, fallback::open);
        }
    }

    /**
     * The fallback limiter deciding with its in-memory fallback (policy FALLBACK, one instance, the breaker forced
     * open, a primary that could never answer anyway: nothing listens on port 1). One fallback limiter serves a whole
     * property, as forcing its breaker open logs a warning; each case ({@link #open}) gets a fresh in-memory fallback
     * on its own clock behind it, to which every operation goes.
     */
    static final class OpenBreakerFallback implements AutoCloseable {
        private ManualClock current = new ManualClock();
        private InMemoryRateLimiter memory;
        private final FallbackRateLimiter fallback;

        OpenBreakerFallback() {
            RateLimiter fresh = new RateLimiter() { // the current case's in-memory limiter
                @Override
                public Decision acquire(String key, List<RateLimitRule> rules) {
                    return memory.acquire(key, rules);
                }

                @Override
                public Decision acquire(List<KeyedRule> rules) {
                    return memory.acquire(rules);
                }

                @Override
                public Decision peek(String key, List<RateLimitRule> rules) {
                    return memory.peek(key, rules);
                }

                @Override
                public void reset(String key, RateLimitRule rule) {
                    memory.reset(key, rule);
                }

                @Override
                public void block(String key, RateLimitRule rule, Duration duration) {
                    memory.block(key, rule, duration);
                }

                @Override
                public void refund(String key, RateLimitRule rule, long permits) {
                    memory.refund(key, rule, permits);
                }
            };
            TimeSource clock = () -> current.nowMicros();
            RedisRateLimiter primary = RedisRateLimiter.custom().uri("redis://127.0.0.1:1")
                    .timeout(Duration.ofMillis(50)).timeSource(clock).build();
            fallback = FallbackRateLimiter.custom().primary(primary).fallback(fresh).timeSource(clock)
                    .config(FallbackConfig.custom().policy(FailurePolicy.FALLBACK).instanceCount(1).build()).build();
            fallback.circuitBreaker().transitionToForcedOpenState();
        }

        /** A harness for one case on {@code caseClock}: a fresh in-memory fallback behind the shared limiter. */
        Harness open(ManualClock caseClock) {
            current = caseClock;
            memory = InMemoryRateLimiter.custom().timeSource(caseClock).build();
            return new Harness(fallback, Store.FALLBACK) {
                @Override
                public void close() {
                    memory.close(); // the fallback limiter itself serves the next case
                }
            };
        }

        @Override
        public void close() {
            fallback.close();
        }
    }

    // ============================================================================================ the cases

    /** One counter (a rule without its cost): name, algorithm, limit, window. */
    /**
     * A rule's values; {@code changes}, when not null, is the declared counter this one changes (an operator's
     * override: same name and algorithm, another limit or window, counting on the declared rule's counter).
     */
    record Counter(String name, Algorithm algorithm, long limit, long windowMillis, Counter changes) {

        Counter(String name, Algorithm algorithm, long limit, long windowMillis) {
            this(name, algorithm, limit, windowMillis, null);
        }

        RateLimitRule rule(int cost) {
            return RateLimitRule.custom().name(name).limit(limit).window(Duration.ofMillis(windowMillis))
                    .algorithm(algorithm).cost(cost).sameCounterAs(changes == null ? null : changes.rule(1)).build();
        }

        long windowMicros() {
            return windowMillis * MS;
        }

        /** The counter's identity: the declared counter's, for a change. */
        String id() {
            return changes == null ? name + ":" + algorithm + ":" + limit + ":" + windowMillis : changes.id();
        }

        @Override
        public String toString() {
            return name + ":" + ABBREVIATIONS.get(algorithm) + " " + limit + "/" + millis(windowMillis)
                    + (changes == null ? "" : " (changes " + changes + ")");
        }
    }

    private static final Map<Algorithm, String> ABBREVIATIONS = Map.of(Algorithm.FIXED_WINDOW, "FW",
            Algorithm.SLIDING_WINDOW_LOG, "SWL", Algorithm.SLIDING_WINDOW_COUNTER, "SWC",
            Algorithm.TOKEN_BUCKET, "TB", Algorithm.GCRA, "GCRA");

    /** One rule of a call: a client key, a counter and the request's cost under it. */
    record Req(String key, Counter counter, int cost) {

        KeyedRule keyed() {
            return new KeyedRule(key, counter.rule(cost));
        }

        @Override
        public String toString() {
            return key + " " + counter + " ×" + cost;
        }
    }

    /** How a step moves the clock before its call. */
    enum Move {
        /** No move. */
        STAY,
        /** Forward by {@code micros}. */
        FORWARD,
        /** Back by {@code micros}. */
        BACK,
        /** Forward by the previous decision's retry-after (0 if it was allowed). */
        TO_RETRY,
        /** Forward by the previous decision's retry-after less 1 µs. */
        BEFORE_RETRY,
        /** Forward by the previous decision's retry-after, then the previous call again (not this step's rules). */
        REPEAT_AT_RETRY,
        /** Forward onto the next expiry of a state (per the model), where the state is forgotten. */
        TO_EXPIRY,
        /** Forward to 1 µs before the next expiry of a state. */
        BEFORE_EXPIRY
    }

    /** One call: a clock move, then the rules; {@code keyed} calls {@code acquire(List<KeyedRule>)}. */
    record Step(Move move, long micros, List<Req> reqs, boolean keyed) {

        @Override
        public String toString() {
            String how;
            switch (move) {
                case STAY: how = "+0"; break;
                case FORWARD: how = "+" + duration(micros); break;
                case BACK: how = "BACK " + duration(micros); break;
                case TO_RETRY: how = "+retry-after"; break;
                case BEFORE_RETRY: how = "+retry-after - 1µs"; break;
                case TO_EXPIRY: how = "+to next expiry"; break;
                case BEFORE_EXPIRY: how = "+to next expiry - 1µs"; break;
                default: return "+retry-after, then the previous call again";
            }
            return String.format(Locale.ROOT, "%-22s %s%s", how, reqs, keyed ? " (keyed)" : "");
        }
    }

    /** A whole test case: the clock's start and the steps. */
    record Case(long start, List<Step> steps) {

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("  start at " + start + " µs (ManualClock.DEFAULT_START_MICROS + "
                    + (start - ManualClock.DEFAULT_START_MICROS) + ")\n");
            for (int i = 0; i < steps.size(); i++) {
                b.append(String.format(Locale.ROOT, "  %3d. %s%n", i + 1, steps.get(i)));
            }
            return b.toString();
        }
    }

    // ============================================================================================ generation

    static Case generate(Random r) {
        long start = ManualClock.DEFAULT_START_MICROS + (r.nextInt(4) == 0 ? 0 : (long) (r.nextDouble() * 366 * DAY));
        List<Counter> counters = counters(r);
        List<String> keys = KEYS.subList(0, 1 + r.nextInt(KEYS.size()));
        int n = 10 + r.nextInt(41);
        List<Step> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            steps.add(step(r, counters, keys));
        }
        return new Case(start, steps);
    }

    /**
     * One to five counters, names from a small set (so counters of one name and algorithm with different limits or
     * windows meet), sometimes all of one algorithm, sometimes with an explicit twin.
     */
    private static List<Counter> counters(Random r) {
        Algorithm[] all = Algorithm.values();
        Algorithm only = r.nextBoolean() ? all[r.nextInt(all.length)] : null;
        Set<Counter> counters = new LinkedHashSet<>();
        int n = r.nextInt(5) == 0 ? 1 : 2 + r.nextInt(4);
        while (counters.size() < n) {
            Algorithm a = only != null ? only : all[r.nextInt(all.length)];
            counters.add(new Counter(String.valueOf((char) ('a' + r.nextInt(2))), a, limit(r, a), windowMillis(r)));
            if (r.nextInt(5) == 0) { // a twin: same name and algorithm, another limit and window
                Counter c = counters.iterator().next();
                counters.add(new Counter(c.name(), c.algorithm(), limit(r, c.algorithm()), windowMillis(r)));
            }
        }
        if (r.nextInt(3) == 0) { // changes of a declared rule, on its counter: calls alternate old and new values
            List<Counter> declared = new ArrayList<>(counters);
            for (int i = 1 + r.nextInt(2); i > 0; i--) {
                Counter c = declared.get(r.nextInt(declared.size()));
                counters.add(changed(r, c));
            }
        }
        return new ArrayList<>(counters);
    }

    /** Another limit or window (or both) for {@code c}'s counter: often near the old one, sometimes far. */
    private static Counter changed(Random r, Counter c) {
        long max = c.algorithm() == Algorithm.SLIDING_WINDOW_LOG ? 10_000 : Integer.MAX_VALUE;
        long limit = c.limit();
        long window = c.windowMillis();
        int what = r.nextInt(3); // 0: the limit, 1: the window, 2: both
        if (what != 1) {
            long[] near = {limit / 2, limit * 2, limit - 1, limit + 1, 1, max, limit(r, c.algorithm())};
            limit = Math.max(1, Math.min(max, near[r.nextInt(near.length)]));
        }
        if (what != 0) {
            long[] near = {window / 2, window * 2, window + 1, windowMillis(r)};
            window = Math.max(1, Math.min(366 * 86_400_000L, near[r.nextInt(near.length)]));
        }
        if (limit == c.limit() && window == c.windowMillis()) {
            limit = limit == 1 ? 2 : limit - 1;
        }
        return new Counter(c.name(), c.algorithm(), limit, window, c);
    }

    private static long limit(Random r, Algorithm a) {
        long max = a == Algorithm.SLIDING_WINDOW_LOG ? 10_000 : Integer.MAX_VALUE;
        int k = r.nextInt(20);
        if (k < 4) {
            return 1;
        } else if (k < 9) {
            return 2 + r.nextInt(9);
        } else if (k < 11) {
            return a == Algorithm.SLIDING_WINDOW_LOG ? max : 1_000_000_000L;
        } else if (k < 13) {
            return max;
        }
        return logUniform(r, 1, max);
    }

    private static long windowMillis(Random r) {
        int k = r.nextInt(20);
        if (k < 9) {
            return WINDOW_EXTREMES_MS[r.nextInt(WINDOW_EXTREMES_MS.length)];
        } else if (k < 13) {
            return 1 + r.nextInt(2_000);
        }
        return logUniform(r, 1, 366 * 86_400_000L);
    }

    private static int cost(Random r, Counter c) {
        long limit = c.limit();
        int k = r.nextInt(20);
        if (c.algorithm() == Algorithm.SLIDING_WINDOW_LOG) { // one sorted-set entry per permit: keep them few
            if (k < 12) {
                return 1;
            } else if (k < 16) {
                return 1 + r.nextInt((int) Math.min(limit, 8));
            }
            return (int) (limit <= 300 ? limit : 1 + r.nextInt(64));
        }
        if (k < 9) {
            return 1;
        } else if (k < 13) {
            return 1 + r.nextInt((int) Math.min(limit, 10));
        } else if (k < 16) {
            return (int) limit; // a rule's cost is at most its limit (a higher one cannot be built)
        }
        return (int) logUniform(r, 1, limit);
    }

    private static Step step(Random r, List<Counter> counters, List<String> keys) {
        int want = r.nextInt(2) == 0 ? 1 : r.nextInt(3) < 2 ? 2 : 3;
        boolean oneKey = !KEYED || r.nextInt(3) > 0;
        String key0 = keys.get(r.nextInt(keys.size()));
        List<Req> reqs = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int attempt = 0; reqs.size() < want && attempt < 20; attempt++) {
            String key = oneKey ? key0 : keys.get(r.nextInt(keys.size()));
            Counter c = counters.get(r.nextInt(counters.size()));
            if (used.add(key + " " + c.id())) {
                reqs.add(new Req(key, c, cost(r, c)));
            }
        }
        boolean keyed = KEYED && (reqs.stream().map(Req::key).distinct().count() > 1 || r.nextInt(6) == 0);

        Counter first = reqs.get(0).counter();
        long w = first.windowMicros();
        long interval = Math.max(1, w / first.limit());
        int k = r.nextInt(100);
        if (k < 25) {
            return new Step(Move.STAY, 0, reqs, keyed);
        } else if (k < 45) {
            return new Step(Move.FORWARD, 1 + (long) (r.nextDouble() * interval), reqs, keyed);
        } else if (k < 55) {
            return new Step(Move.TO_RETRY, 0, reqs, keyed);
        } else if (k < 60) {
            return new Step(Move.BEFORE_RETRY, 0, reqs, keyed);
        } else if (k < 67) {
            return new Step(Move.REPEAT_AT_RETRY, 0, reqs, keyed);
        } else if (k < 70) {
            return new Step(Move.TO_EXPIRY, 0, reqs, keyed);
        } else if (k < 72) {
            return new Step(Move.BEFORE_EXPIRY, 0, reqs, keyed);
        } else if (k < 84) {
            return new Step(Move.FORWARD, (long) (r.nextDouble() * (w + w / 2)), reqs, keyed);
        } else if (k < 88) {
            return new Step(Move.FORWARD, w + 1 + (long) (r.nextDouble() * 2 * w), reqs, keyed);
        } else if (k < 94 || !BACK) {
            return new Step(Move.FORWARD, 1 + r.nextInt(2_000), reqs, keyed);
        }
        long[] back = {1, 2, 1 + r.nextInt(1_000), 1 + (long) (r.nextDouble() * interval),
            1 + (long) (r.nextDouble() * w)};
        return new Step(Move.BACK, back[r.nextInt(back.length)], reqs, keyed);
    }

    /** A long in {@code [lo, hi]}, uniform in its logarithm. */
    private static long logUniform(Random r, long lo, long hi) {
        double x = Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi + 1.0) - Math.log(lo)));
        return Math.max(lo, Math.min(hi, (long) x));
    }

    // ============================================================================================ shrinking

    /** Simpler variants of a case: fewer steps, simpler steps, simpler counters, fewer keys, an aligned start. */
    static List<Case> shrink(Case c) {
        List<Case> out = new ArrayList<>();
        for (List<Step> fewer : Property.shrinkList(c.steps(), s -> List.of())) {
            out.add(new Case(c.start(), fewer));
        }
        for (int i = 0; i + 1 < c.steps().size(); i++) { // a step dropped, its clock move kept
            Step s = c.steps().get(i);
            Step next = c.steps().get(i + 1);
            boolean forward = s.move() == Move.FORWARD || s.move() == Move.STAY;
            if (forward && (next.move() == Move.FORWARD || next.move() == Move.STAY)) {
                List<Step> merged = new ArrayList<>(c.steps());
                merged.remove(i);
                merged.set(i, new Step(Move.FORWARD, s.micros() + next.micros(), next.reqs(), next.keyed()));
                out.add(new Case(c.start(), merged));
            }
        }
        for (int i = 0; i < c.steps().size(); i++) {
            for (Step simpler : simplerSteps(c.steps(), i)) {
                List<Step> copy = new ArrayList<>(c.steps());
                copy.set(i, simpler);
                out.add(new Case(c.start(), copy));
            }
        }
        Set<Counter> counters = new LinkedHashSet<>();
        Set<String> keys = new LinkedHashSet<>();
        for (Step s : c.steps()) {
            for (Req q : s.reqs()) {
                counters.add(q.counter());
                keys.add(q.key());
            }
        }
        for (Counter x : counters) {
            List<Counter> variants = new ArrayList<>();
            if (x.limit() > 1) {
                variants.add(new Counter(x.name(), x.algorithm(), x.limit() / 2, x.windowMillis(), x.changes()));
            }
            if (x.windowMillis() > 1) {
                variants.add(new Counter(x.name(), x.algorithm(), x.limit(), x.windowMillis() / 2, x.changes()));
            }
            if (!x.name().equals("a") && x.changes() == null) {
                variants.add(new Counter("a", x.algorithm(), x.limit(), x.windowMillis()));
            }
            if (x.changes() != null) { // no longer a change: a counter of its own
                variants.add(new Counter(x.name(), x.algorithm(), x.limit(), x.windowMillis()));
            }
            for (Counter y : variants) {
                out.add(new Case(c.start(), replace(c.steps(), q -> q.counter().equals(x)
                        ? new Req(q.key(), y, (int) Math.min(q.cost(), y.limit())) : q)));
            }
        }
        for (String key : keys) {
            if (!key.equals("k0")) {
                out.add(new Case(c.start(), replace(c.steps(),
                        q -> q.key().equals(key) ? new Req("k0", q.counter(), q.cost()) : q)));
            }
        }
        if (c.start() != ManualClock.DEFAULT_START_MICROS) {
            out.add(new Case(ManualClock.DEFAULT_START_MICROS, c.steps()));
            out.add(new Case(ManualClock.DEFAULT_START_MICROS + (c.start() - ManualClock.DEFAULT_START_MICROS) / 2,
                    c.steps()));
        }
        out.removeIf(x -> !valid(x));
        return out;
    }

    private static List<Step> simplerSteps(List<Step> steps, int i) {
        Step s = steps.get(i);
        List<Step> out = new ArrayList<>();
        if (s.move() == Move.REPEAT_AT_RETRY && i > 0) { // the same call spelled out
            Step previous = steps.get(i - 1);
            out.add(new Step(Move.TO_RETRY, 0, previous.reqs(), previous.keyed()));
        }
        if (s.move() != Move.STAY && s.move() != Move.REPEAT_AT_RETRY) {
            out.add(new Step(Move.STAY, 0, s.reqs(), s.keyed()));
        }
        if ((s.move() == Move.FORWARD || s.move() == Move.BACK) && s.micros() > 1) {
            out.add(new Step(s.move(), s.micros() / 2, s.reqs(), s.keyed()));
        }
        if (s.move() == Move.BEFORE_RETRY) {
            out.add(new Step(Move.TO_RETRY, 0, s.reqs(), s.keyed()));
        }
        if (s.move() == Move.BEFORE_EXPIRY) {
            out.add(new Step(Move.TO_EXPIRY, 0, s.reqs(), s.keyed()));
        }
        for (int j = 0; j < s.reqs().size() && s.reqs().size() > 1; j++) {
            List<Req> fewer = new ArrayList<>(s.reqs());
            fewer.remove(j);
            out.add(new Step(s.move(), s.micros(), fewer, s.keyed()));
        }
        for (int j = 0; j < s.reqs().size(); j++) {
            Req q = s.reqs().get(j);
            for (int cost : new int[] {1, q.cost() / 2}) {
                if (cost >= 1 && cost < q.cost()) {
                    List<Req> cheaper = new ArrayList<>(s.reqs());
                    cheaper.set(j, new Req(q.key(), q.counter(), cost));
                    out.add(new Step(s.move(), s.micros(), cheaper, s.keyed()));
                }
            }
        }
        if (s.keyed() && s.reqs().stream().map(Req::key).distinct().count() == 1) {
            out.add(new Step(s.move(), s.micros(), s.reqs(), false));
        }
        return out;
    }

    private static List<Step> replace(List<Step> steps, Function<Req, Req> f) {
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            List<Req> reqs = new ArrayList<>();
            for (Req q : s.reqs()) {
                reqs.add(f.apply(q));
            }
            boolean keyed = s.keyed() || reqs.stream().map(Req::key).distinct().count() > 1;
            out.add(new Step(s.move(), s.micros(), reqs, keyed));
        }
        return out;
    }

    /** No counter twice in a call. */
    private static boolean valid(Case c) {
        for (Step s : c.steps()) {
            Set<String> seen = new HashSet<>();
            for (Req q : s.reqs()) {
                if (!seen.add(q.key() + " " + q.counter().id())) {
                    return false;
                }
            }
        }
        return true;
    }

    // ============================================================================================ running

    /** Counts over one store's property. */
    private static final class Stats {
        long sequences;
        long steps;
        long allowed;
        long multiRule;
        long keyed;
        long back;
        long honestRetries;
        long redisKeysChecked;
    }

    @FunctionalInterface
    private interface HarnessFactory {
        Harness open(ManualClock clock);
    }

    private static void check(String store, long seed, int tries, HarnessFactory factory) {
        Stats stats = new Stats();
        Property<Case> property = new Property<>("ModelPropertyTest[" + store + "]", seed, tries,
                ModelPropertyTest::generate, ModelPropertyTest::shrink, Case::toString)
                .shrinkBudget(5_000, 60);
        long began = System.nanoTime();
        try {
            property.check(c -> {
                Stats s = property.shrinking() ? new Stats() : stats;
                run(c, factory, s);
                s.sequences++;
            });
        } catch (AssertionError e) {
            report(store, stats, began, 1);
            throw e;
        }
        report(store, stats, began, 0);
    }

    private static void report(String store, Stats s, long began, int disagreements) {
        System.out.printf(Locale.ROOT, "ModelPropertyTest[%s]: %,d sequences, %,d steps, %d disagreement%s"
                + " (%.1f s; steps: %d%% allowed, %d%% multi-rule, %d%% keyed, %,d steps back, %,d retry-afters"
                + " honoured%s)%n", store, s.sequences, s.steps, disagreements, disagreements == 1 ? "" : "s",
                (System.nanoTime() - began) / 1e9, percent(s.allowed, s.steps), percent(s.multiRule, s.steps),
                percent(s.keyed, s.steps), s.back, s.honestRetries,
                s.redisKeysChecked == 0 ? "" : String.format(Locale.ROOT, ", %,d Redis key writes checked",
                        s.redisKeysChecked));
    }

    private static long percent(long part, long whole) {
        return whole == 0 ? 0 : Math.round(100.0 * part / whole);
    }

    /**
     * A clock reading {@code t} moved, if needed, so that no counter the call touches has an expiry in
     * {@code (t, latest]}: one that an earlier, later reading already passed. Where a clock steps back across such an
     * expiry, whether a store still holds the state is not defined: Redis expires keys in the background, and the
     * in-memory cache drops a state once its own clock (the latest reading) passes the state's lease. From that
     * expiry on, both forget it alike, so the step lands there.
     */
    static long pastDroppedStates(long t, long latest, List<KeyedRule> rules, ReferenceModel model) {
        long moved = t;
        boolean again = true;
        while (again) {
            again = false;
            for (KeyedRule r : rules) {
                long expiry = model.expiryOf(r);
                if (moved < expiry && expiry <= latest) {
                    moved = expiry;
                    again = true;
                }
            }
        }
        return moved;
    }

    /** Runs one case against a fresh limiter and a fresh model; throws AssertionError at the first disagreement. */
    private static void run(Case c, HarnessFactory factory, Stats stats) {
        ManualClock clock = new ManualClock(c.start());
        ReferenceModel model = new ReferenceModel();
        Deque<String> trace = new ArrayDeque<>();
        try (Harness h = factory.open(clock)) {
            Outcome previous = null;
            Step previousStep = null;
            long previousT = c.start();
            long latest = c.start();
            for (int i = 0; i < c.steps().size(); i++) {
                Step step = c.steps().get(i);
                long t = clock.nowMicros();
                long retry = previous == null ? 0 : previous.retryMicros();
                List<Req> reqs = step.reqs();
                boolean keyed = step.keyed();
                switch (step.move()) {
                    case FORWARD: t += step.micros(); break;
                    case BACK: t -= step.micros(); stats.back++; break;
                    case TO_RETRY: t += retry; break;
                    case BEFORE_RETRY: t += Math.max(0, retry - 1); break;
                    case REPEAT_AT_RETRY:
                        t += retry;
                        if (previousStep != null) {
                            reqs = previousStep.reqs();
                            keyed = previousStep.keyed();
                        }
                        break;
                    case TO_EXPIRY:
                    case BEFORE_EXPIRY:
                        long next = model.nextExpiryAfter(t);
                        long target = step.move() == Move.TO_EXPIRY ? next : next - 1;
                        t = next < 0 ? t : Math.max(t, target);
                        break;
                    default:
                        break;
                }
                List<KeyedRule> rules = new ArrayList<>();
                for (Req q : reqs) {
                    rules.add(q.keyed());
                }
                t = pastDroppedStates(t, latest, rules, model);
                latest = Math.max(latest, t);
                clock.set(t);
                String where = String.format(Locale.ROOT, "step %d at t=%d (%+d µs): %s%s", i + 1, t,
                        t - previousT, reqs, keyed ? " (keyed)" : "");

                h.beforeStep(t, rules);
                Outcome expected = model.acquire(t, rules);
                h.beforeCall(rules, expected);
                Decision d;
                try {
                    d = keyed ? h.limiter.acquire(rules) : h.limiter.acquire(reqs.get(0).key(), rulesOnly(rules));
                } catch (RuntimeException e) {
                    throw new AssertionError("the store threw " + e + "; the steps:\n" + history(trace) + where
                            + "\n    model  " + show(expected) + "\n    store  threw " + e, e);
                }
                String line = where + "\n    model  " + show(expected) + "\n    store  " + show(d);
                trace.addLast(line);
                if (trace.size() > 12) {
                    trace.removeFirst();
                }
                String mismatch = mismatch(expected, d, rules, h.store);
                if (mismatch != null) {
                    throw new AssertionError("the store disagrees with the model (" + mismatch + "); the steps:\n"
                            + String.join("\n", trace));
                }
                if (step.move() == Move.REPEAT_AT_RETRY && previous != null
                        && honestRetryExpected(previous, previousStep)) {
                    stats.honestRetries++;
                    if (!expected.allowed()) {
                        throw new IllegalStateException("model bug: its retry-after is not honest\n"
                                + String.join("\n", trace));
                    }
                    if (!d.allowed()) {
                        throw new AssertionError("Retry-After not honest: the same call, exactly the retry-after "
                                + "later, was denied; the steps:\n" + String.join("\n", trace));
                    }
                }
                try {
                    stats.redisKeysChecked += h.afterCall(rules, expected, t);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; the steps:\n" + String.join("\n", trace),
                            e.getCause());
                }

                stats.steps++;
                stats.allowed += expected.allowed() ? 1 : 0;
                stats.multiRule += rules.size() > 1 ? 1 : 0;
                stats.keyed += keyed ? 1 : 0;
                previous = expected;
                previousStep = new Step(step.move(), step.micros(), reqs, keyed);
                previousT = t;
            }
            try {
                h.finish();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the last steps:\n" + String.join("\n", trace),
                        e.getCause());
            }
        }
    }

    /**
     * Whether repeating the previous call exactly its retry-after later must pass: whenever it was denied. Every
     * rule's retry-after counts from the call's own clock reading, also a rule decided at a later effective time after
     * a step back, and no rule's cost exceeds its limit, so no other condition applies.
     */
    private static boolean honestRetryExpected(Outcome previous, Step previousStep) {
        return !previous.allowed() && !previousStep.reqs().isEmpty();
    }

    private static List<RateLimitRule> rulesOnly(List<KeyedRule> rules) {
        List<RateLimitRule> out = new ArrayList<>();
        for (KeyedRule r : rules) {
            out.add(r.rule());
        }
        return out;
    }

    private static String history(Deque<String> trace) {
        return trace.isEmpty() ? "" : String.join("\n", trace) + "\n";
    }

    /** What differs between the model's outcome and the decision, or null. */
    static String mismatch(Outcome expected, Decision d, List<KeyedRule> rules, Store store) {
        if (d.store() != store) {
            return "store " + d.store() + ", expected " + store;
        }
        List<RuleOutcome> limits = d.limits();
        if (limits.size() != rules.size()) {
            return limits.size() + " limits for " + rules.size() + " rules";
        }
        for (int i = 0; i < rules.size(); i++) {
            RuleOutcome s = limits.get(i);
            RuleResult m = expected.rules().get(i);
            if (!s.rule().equals(rules.get(i).rule())) {
                return "limit " + (i + 1) + " is of rule " + s.rule() + ", expected " + rules.get(i).rule();
            }
            if (s.allowed() != m.allowed() || s.remaining() != m.remaining() || s.resetMicros() != m.resetMicros()
                    || s.retryMicros() != m.retryMicros() || s.nextMicros() != m.nextMicros()) {
                return "rule " + (i + 1) + " " + rules.get(i);
            }
        }
        if (d.allowed() != expected.allowed()) {
            return "decision.allowed() " + d.allowed();
        }
        if (!d.retryAfter().equals(Duration.ofNanos(expected.retryMicros() * 1_000L))) {
            return "decision.retryAfter() " + d.retryAfter() + ", expected " + expected.retryMicros() + " µs";
        }
        return null;
    }

    static String show(Outcome o) {
        List<String> parts = new ArrayList<>();
        for (RuleResult r : o.rules()) {
            parts.add(view(r.allowed(), r.remaining(), r.resetMicros(), r.retryMicros(), r.nextMicros()));
        }
        return (o.allowed() ? "ALLOWED " : "DENIED retry " + o.retryMicros() + " ") + parts;
    }

    static String show(Decision d) {
        List<String> parts = new ArrayList<>();
        for (RuleOutcome s : d.limits()) {
            parts.add(view(s.allowed(), s.remaining(), s.resetMicros(), s.retryMicros(), s.nextMicros()));
        }
        return (d.allowed() ? "ALLOWED " : "DENIED retry " + d.retryAfter().toNanos() / 1_000L + " ") + parts
                + (d.store() == Store.MEMORY || d.store() == Store.REDIS || d.store() == Store.FALLBACK
                        ? "" : " store " + d.store());
    }

    private static String view(boolean allowed, long remaining, long reset, long retry, long next) {
        return (allowed ? "ok" : "no") + " rem " + remaining + " reset " + reset
                + (allowed ? " next " + next : " retry " + retry + (next == retry ? "" : " next " + next));
    }

    private static String duration(long micros) {
        if (micros % DAY == 0) {
            return micros / DAY + "d";
        } else if (micros % HOUR == 0) {
            return micros / HOUR + "h";
        } else if (micros % SECOND == 0) {
            return micros / SECOND + "s";
        } else if (micros % MS == 0) {
            return micros / MS + "ms";
        }
        return micros + "µs";
    }

    private static String millis(long millis) {
        return duration(millis * MS);
    }

    // ============================================================================================ harnesses

    /** A limiter under test and what the test checks around each call (nothing more for in-memory stores). */
    static class Harness implements AutoCloseable {
        final RateLimiter limiter;
        final Store store;

        Harness(RateLimiter limiter, Store store) {
            this.limiter = limiter;
            this.store = store;
        }

        /** Before the step's call of {@code rules}, at clock reading {@code t}. */
        void beforeStep(long t, List<KeyedRule> rules) {
        }

        /** Right before the call, with the model's answer. */
        void beforeCall(List<KeyedRule> rules, Outcome expected) {
        }

        /** After the call; returns how many state writes it checked. */
        int afterCall(List<KeyedRule> rules, Outcome expected, long t) {
            return 0;
        }

        /** After the last step. */
        void finish() {
        }

        /** The stored form of the rules' states, to compare before and after a peek; empty where it is not visible. */
        List<String> snapshot(List<KeyedRule> rules) {
            return List.of();
        }

        /**
         * After a reset, block or refund of {@code rule}'s counter: the state the model holds afterwards expires at
         * {@code expiryMicros} ({@code Long.MAX_VALUE}: none is held), and {@code written}, when not null, is the state
         * the operation wrote (a block).
         */
        void afterOperation(KeyedRule rule, long expiryMicros, Write written) {
        }

        @Override
        public void close() {
            limiter.close();
        }
    }

    /** A Redis limiter with a padded TTL; expires keys on the virtual clock and checks keys, TTLs and sizes. */
    static final class RedisHarness extends Harness {
        private final UnifiedJedis redis;
        private final RedisRateLimiter redisLimiter;
        /** Every key written and not yet expired, with its expiry on the virtual clock (µs). */
        private final Map<String, Long> expiries = new LinkedHashMap<>();
        private final Set<String> clientKeys = new HashSet<>();
        /** The largest limit each log was committed under. */
        private final Map<String, Long> largestLimits = new HashMap<>();
        private Map<String, String> before;

        RedisHarness(UnifiedJedis redis, ManualClock clock) {
            this(redis, limiter(redis, clock));
        }

        private RedisHarness(UnifiedJedis redis, RedisRateLimiter limiter) {
            this(redis, limiter, limiter);
        }

        /**
         * Calls go to {@code front} (e.g. a fallback limiter with a closed breaker in front of {@code limiter}); the
         * keys are {@code limiter}'s.
         */
        RedisHarness(UnifiedJedis redis, RedisRateLimiter limiter, RateLimiter front) {
            super(front, Store.REDIS);
            this.redis = redis;
            this.redisLimiter = limiter;
        }

        /** A Redis limiter with the padded TTL on {@code clock}, under a prefix of its own. */
        static RedisRateLimiter limiter(UnifiedJedis redis, ManualClock clock) {
            return RedisTestAccess.ttlPadding(RedisRateLimiter.custom(), TTL_PADDING).client(redis)
                    .timeSource(clock).keyPrefix("pbt" + PREFIXES.incrementAndGet() + "-" + System.nanoTime())
                    .build();
        }

        @Override
        List<String> snapshot(List<KeyedRule> rules) {
            List<String> out = new ArrayList<>();
            for (KeyedRule r : rules) {
                out.add(key(r) + " = " + contents(key(r)) + " PTTL " + (redis.pttl(key(r)) > 0 ? "set" : "none"));
            }
            return out;
        }

        /** The key is gone when the model holds nothing, else has a TTL; a block's write has exactly its TTL. */
        @Override
        void afterOperation(KeyedRule rule, long expiryMicros, Write written) {
            String key = key(rule);
            clientKeys.add(rule.key());
            long pttl = redis.pttl(key);
            if (written != null) {
                checkTtl(key, written, pttl);
                expiries.put(key, written.expiryMicros());
            } else if (expiryMicros == Long.MAX_VALUE) {
                if (pttl != -2) {
                    throw new AssertionError("key " + key + " should be gone, holds " + contents(key) + " (PTTL "
                            + pttl + ")");
                }
                expiries.remove(key);
            } else {
                if (pttl <= 0) {
                    throw new AssertionError("key " + key + " should be held until " + expiryMicros + " µs, has PTTL "
                            + pttl);
                }
                if (!Objects.equals(expiries.get(key), expiryMicros)) {
                    throw new AssertionError("key " + key + ": the model's expiry " + expiryMicros
                            + " µs is not the test's bookkeeping, " + expiries.get(key));
                }
            }
        }

        private void checkTtl(String key, Write w, long pttl) {
            long max = w.ttlMillis() + TTL_PADDING.toMillis();
            if (pttl <= max - PTTL_SLACK_MILLIS || pttl > max) {
                throw new AssertionError("key " + key + " written at t=" + w.writeMicros() + " has PTTL " + pttl
                        + " ms, expected " + w.ttlMillis() + " ms + the padding " + TTL_PADDING.toMillis() + " ms = "
                        + max + " (at most " + PTTL_SLACK_MILLIS + " ms less)" + (pttl == -2 ? ": no such key"
                                : pttl == -1 ? ": no TTL" : ""));
            }
        }

        private String key(KeyedRule r) {
            return RedisTestAccess.stateKey(redisLimiter, r.key(), r.rule());
        }

        /**
         * Lazy forgetting on the virtual clock: deletes each key of this call whose TTL, counted from its write, has
         * run out at the call's reading {@code t} (expiry at or before {@code t}); every other key stays.
         */
        @Override
        void beforeStep(long t, List<KeyedRule> rules) {
            for (KeyedRule r : rules) {
                String key = key(r);
                Long expiry = expiries.get(key);
                if (expiry != null && expiry <= t) {
                    redis.del(key);
                    expiries.remove(key);
                }
            }
        }

        @Override
        void beforeCall(List<KeyedRule> rules, Outcome expected) {
            before = null;
            if (!expected.allowed()) { // a denied call writes only states carried over to a changed rule
                before = new LinkedHashMap<>();
                Set<String> written = new HashSet<>();
                for (Write w : expected.writes()) {
                    written.add(key(w.rule()));
                }
                for (KeyedRule r : rules) {
                    if (!written.contains(key(r))) {
                        before.put(key(r), contents(key(r)));
                    }
                }
            }
        }

        @Override
        int afterCall(List<KeyedRule> rules, Outcome expected, long t) {
            for (KeyedRule r : rules) {
                clientKeys.add(r.key());
                if (expected.allowed()) {
                    largestLimits.merge(key(r), r.rule().limit(), Math::max);
                }
            }
            if (before != null) {
                for (Map.Entry<String, String> e : before.entrySet()) {
                    String now = contents(e.getKey());
                    if (!now.equals(e.getValue())) {
                        throw new AssertionError("a denied call changed " + e.getKey() + " from " + e.getValue()
                                + " to " + now);
                    }
                }
            }
            for (Write w : expected.writes()) {
                String key = key(w.rule());
                long pttl = redis.pttl(key);
                if (w.ttlMillis() == 0) { // a carried state that equals a fresh one: deleted
                    if (pttl != -2) {
                        throw new AssertionError("key " + key + " should have been deleted at t=" + w.writeMicros()
                                + " (its state carried over to a changed rule equals a fresh one), has PTTL " + pttl);
                    }
                    expiries.remove(key);
                    continue;
                }
                checkTtl(key, w, pttl);
                String type = redis.type(key);
                if (w.rule().rule().algorithm() == Algorithm.SLIDING_WINDOW_LOG) {
                    long entries = type.equals("zset") ? redis.zcard(key) : -1;
                    long most = largestLimits.getOrDefault(key, 0L); // a lowered limit leaves the entries taken
                    if (entries < 0 || entries > most) {
                        throw new AssertionError("log " + key + " (" + type + ") holds " + entries
                                + " entries, more than the largest limit it was written under, " + most);
                    }
                } else {
                    long bytes = type.equals("string") ? redis.strlen(key) : -1;
                    RateLimitRule rule = w.rule().rule();
                    boolean own = rule.counterLimit() == rule.limit() && rule.counterWindowMicros() == rule.windowMicros();
                    // a changed rule's state also holds its limit and window
                    if (bytes < 0 || bytes > MAX_STATE_STRING_BYTES + (own ? 0 : 26)) {
                        throw new AssertionError("state " + key + " (" + type + ") is " + bytes + " bytes: "
                                + contents(key) + "; at most " + MAX_STATE_STRING_BYTES + " expected");
                    }
                }
                expiries.put(key, w.expiryMicros());
            }
            return expected.writes().size();
        }

        /** Every key under this limiter's prefix has a TTL. */
        @Override
        void finish() {
            List<String> withoutTtl = new ArrayList<>();
            for (String key : keysOfThisLimiter()) {
                if (redis.pttl(key) == -1) {
                    withoutTtl.add(key);
                }
            }
            if (!withoutTtl.isEmpty()) {
                throw new AssertionError("keys without a TTL: " + withoutTtl);
            }
        }

        @Override
        public void close() {
            Set<String> all = keysOfThisLimiter();
            all.addAll(expiries.keySet());
            for (String key : all) {
                redis.del(key);
            }
            super.close();
        }

        /**
         * The keys under this limiter's prefix for the client keys used, by SCAN over each client key's hash tag (a
         * cluster client scans only patterns with a hash tag, on the node of its slot).
         */
        private Set<String> keysOfThisLimiter() {
            Set<String> found = new HashSet<>();
            RateLimitRule any = RateLimitRule.custom().name("x").limit(1).window("1s").build();
            for (String client : clientKeys) {
                String sample = RedisTestAccess.stateKey(redisLimiter, client, any);
                String pattern = sample.substring(0, sample.indexOf('}') + 1) + "*";
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = redis.scan(cursor, new ScanParams().match(pattern).count(1_000));
                    found.addAll(page.getResult());
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
            return found;
        }

        /** A key's value as text: what GET or ZRANGE … WITHSCORES returns, or its absence. */
        private String contents(String key) {
            String type = redis.type(key);
            switch (type) {
                case "none":
                    return "(no key)";
                case "string":
                    return "string '" + redis.get(key) + "'";
                case "zset":
                    List<String> members = new ArrayList<>();
                    for (Tuple t : redis.zrangeWithScores(key, 0, -1)) {
                        members.add(t.getElement() + "@" + Objects.toString(t.getScore()));
                    }
                    return "zset " + members;
                default:
                    return type + " (unexpected type)";
            }
        }
    }
}
