package dev.ratelimit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.redis.RedisTestAccess;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.RedisClient;

/**
 * Regressions of issue 16, each run on the in-memory and the Redis store, with exact expected values worked out by
 * hand from the specification. Each failed on the code before the rewrite (commit 4f65723) on Redis, and all
 * but the token-bucket cases of the first and the two of the second also in memory (the in-memory store already kept
 * time monotonic and its token bucket exact); the last one
 * ({@link #aDeniedRequestForgetsNoLogEntryThatCountsAgainAfterAStepBack}) was found by {@code ModelPropertyTest} in
 * the rewrite itself, on both stores (before it, the log had no notion of time not going back at all), and so was the
 * in-memory half of {@link #aClockSteppingBackFarAdmitsNoMoreThanTheLimit}, an older defect (4f65723 fails it too).
 *
 * <p>Notation: {@code L} limit, {@code W} window, {@code B} a window boundary. Times in µs.
 */
class EdgeRegressionTest {

    private static final long S = 1_000_000L;
    private static final long DAY = 86_400 * S;
    /** 2026-01-01T00:00:00Z, the start of a calendar window of every length used here. */
    private static final long T0 = ManualClock.DEFAULT_START_MICROS;
    private static final long START = T0 + 3 * S;

    enum StoreKind { MEMORY, REDIS }

    private static RedisClient redis;
    private ManualClock clock;
    private RateLimiter limiter;

    @BeforeAll
    static void connect() {
        redis = RedisServer.shared().client();
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @AfterEach
    void close() {
        if (limiter != null) {
            limiter.close();
        }
    }

    private RateLimiter limiter(StoreKind store, long startMicros) {
        clock = new ManualClock(startMicros);
        limiter = store == StoreKind.MEMORY ? InMemoryRateLimiter.custom().timeSource(clock).build()
                // keys written on the virtual clock must not expire in real time (a TTL can be 1 ms here)
                : RedisTestAccess.ttlPadding(RedisRateLimiter.custom().client(redis).timeSource(clock)
                        .keyPrefix("edge-" + UUID.randomUUID()), java.time.Duration.ofHours(1)).build();
        return limiter;
    }

    private static RateLimitRule rule(String name, Algorithm algorithm, long limit, String window) {
        return RateLimitRule.custom().name(name).limit(limit).window(window).algorithm(algorithm).build();
    }

    /** allowed, remaining, reset, retry-after of a one-rule decision. */
    private static List<Object> view(Decision d) {
        assertThat(d.limits()).hasSize(1);
        RuleOutcome s = d.limits().get(0);
        assertThat(d.allowed()).isEqualTo(s.allowed());
        return List.of(s.allowed(), s.remaining(), s.resetMicros(), s.retryMicros());
    }

    private static List<Object> allowed(long remaining, long reset) {
        return List.of(true, remaining, reset, 0L);
    }

    private static List<Object> denied(long remaining, long reset, long retry) {
        return List.of(false, remaining, reset, retry);
    }

    // ---------------------------------------------------------------------------- 1. limit * window past 2^63

    static Stream<Arguments> largeLimitsAndWindows() {
        // reset after k permits at one instant: ceil(k W / L)
        return Stream.of(
                Arguments.of(Algorithm.TOKEN_BUCKET, 4_000_000L, "30d", 648_000L, 1_296_000L),
                Arguments.of(Algorithm.TOKEN_BUCKET, 1_000_000L, "366d", 31_622_400L, 63_244_800L),
                Arguments.of(Algorithm.GCRA, 2_147_483_647L, "366d", 14_726L, 29_451L));
    }

    /**
     * {@code L * W(µs)} is at least 2^63 (4,000,000 × 30 d = 1.04e19; 1,000,000 × 366 d = 3.2e19; 2^31-1 × 366 d =
     * 6.8e22): the second request at the same instant is allowed with {@code L - 2} left and a reset of
     * {@code ceil(2W / L)}. Before issue 16 the token bucket's state {@code tokens * W} wrapped in Redis, so the second
     * request was denied with a weeks-long retry-after.
     */
    @ParameterizedTest(name = "{1} per {2} {0} on {5}")
    @MethodSource("largeLimitsAndWindowsOnEachStore")
    void aSecondRequestIsAllowedAtLimitsWhoseProductWithTheWindowPasses2To63(Algorithm algorithm, long limit,
            String window, long resetAfterOne, long resetAfterTwo, StoreKind store) {
        RateLimiter l = limiter(store, START);
        RateLimitRule rule = rule("big", algorithm, limit, window);
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(limit - 1, resetAfterOne));
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(limit - 2, resetAfterTwo));
    }

    static Stream<Arguments> largeLimitsAndWindowsOnEachStore() {
        return largeLimitsAndWindows().flatMap(a -> Stream.of(StoreKind.values()).map(s -> {
            Object[] args = a.get();
            return Arguments.of(args[0], args[1], args[2], args[3], args[4], s);
        }));
    }

    // ------------------------------------------------------------------- 2. a clock stepping back 2 µs over B

    /**
     * FIXED_WINDOW, 2 per 10 s, a clock that steps back and forth between {@code B - 1} and {@code B + 1}: two
     * permits in the window before {@code B}, two in the window from {@code B}, then nothing: every later request is
     * decided at {@code te = B + 1} (the last commit), so it is denied with the window from {@code B} full
     * (remaining 0, reset and retry {@code B + W - (B + 1) = W - 1} from {@code te}). Durations count from the call's
     * own reading {@code t}: at {@code t = B + 1} they are {@code W - 1}, at {@code t = B - 1} two more,
     * {@code W + 1} (both name the instant {@code B + W}, where the request passes). Before issue 16 each step back re-opened the earlier window
     * and each step forward the later one: 5 and more admitted in the window from {@code B}.
     */
    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aClockSteppingBackOverAFixedWindowBoundaryAdmitsNoMoreThanTheLimit(StoreKind store) {
        long w = 10 * S;
        long b = T0 + w;
        RateLimiter l = limiter(store, b - 1);
        RateLimitRule rule = rule("fw", Algorithm.FIXED_WINDOW, 2, "10s");
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(1, 1));
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(0, 1));
        clock.set(b + 1);
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(1, w - 1));
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(0, w - 1));
        int admittedAfterB = 2;
        for (int i = 0; i < 4; i++) {
            boolean back = i % 2 == 0;
            clock.set(back ? b - 1 : b + 1);
            Decision d = l.acquire("client", rule);
            admittedAfterB += d.allowed() ? 1 : 0;
            long wait = back ? w + 1 : w - 1; // until B + W, from t
            assertThat(view(d)).as("request %d after the window from B is full", i + 1)
                    .isEqualTo(denied(0, wait, wait));
        }
        assertThat(admittedAfterB).isEqualTo(2);
        // the retry-after of a stepped-back call is honest: W + 1 after B - 1 is B + W, the next window
        clock.set(b - 1);
        assertThat(view(l.acquire("client", rule))).isEqualTo(denied(0, w + 1, w + 1));
        clock.set(b + w);
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(1, w));
    }

    /**
     * SLIDING_WINDOW_COUNTER, 2 per 10 s, the same clock: two permits at {@code B + 1} ({@code cur = 2}); then at
     * {@code B - 1} and {@code B + 1} alternately every request is decided at {@code te = B + 1}: estimate 2, denied,
     * reset {@code ws + 2W - te = 2W - 1}, retry {@code W} (in the next window the weight of 2 must drop below 2:
     * at {@code elapsed = 1}, i.e. {@code B + W + 1}), both from {@code te}; reported from the call's reading
     * {@code t}, 2 µs more at {@code t = B - 1}. Before issue 16 the step back found a state of another window, took
     * it for empty and wrote over it.
     */
    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aClockSteppingBackOverASlidingCounterBoundaryAdmitsNoMoreThanTheLimit(StoreKind store) {
        long w = 10 * S;
        long b = T0 + w;
        RateLimiter l = limiter(store, b + 1);
        RateLimitRule rule = rule("swc", Algorithm.SLIDING_WINDOW_COUNTER, 2, "10s");
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(1, 2 * w - 1));
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(0, 2 * w - 1));
        int admitted = 2;
        for (int i = 0; i < 6; i++) {
            boolean back = i % 2 == 0;
            clock.set(back ? b - 1 : b + 1);
            Decision d = l.acquire("client", rule);
            admitted += d.allowed() ? 1 : 0;
            long behind = back ? 2 : 0; // te - t
            assertThat(view(d)).as("request %d after two", i + 1)
                    .isEqualTo(denied(0, 2 * w - 1 + behind, w + behind));
        }
        assertThat(admitted).isEqualTo(2);
    }

    // ------------------------------------------------------- 3. one name, two limits: two distinct counters

    /**
     * Two rules named {@code login} of the same algorithm, 2 per hour and 100 per second, used alternately (one
     * request to the 100-per-second rule before each of ten to the 2-per-hour rule, 100 ms apart): the counters are
     * distinct, so the 2-per-hour rule admits exactly 2 and the 100-per-second rule all ten. Before issue 16 both
     * rules shared one state per name and algorithm, and each rule's writes reset or inflated the other's count.
     */
    @ParameterizedTest
    @MethodSource("algorithmsOnEachStore")
    void twoRulesOfOneNameWithDifferentLimitsAreDistinctCounters(Algorithm algorithm, StoreKind store) {
        RateLimiter l = limiter(store, START);
        RateLimitRule perHour = rule("login", algorithm, 2, "1h");
        RateLimitRule perSecond = rule("login", algorithm, 100, "1s");
        int admittedPerHour = 0;
        int admittedPerSecond = 0;
        for (int i = 0; i < 10; i++) {
            admittedPerSecond += l.acquire("client", perSecond).allowed() ? 1 : 0;
            Decision d = l.acquire("client", perHour);
            admittedPerHour += d.allowed() ? 1 : 0;
            assertThat(d.allowed()).as("request %d to 2 per hour", i + 1).isEqualTo(i < 2);
            assertThat(d.remaining()).as("request %d to 2 per hour", i + 1).isEqualTo(i == 0 ? 1 : 0);
            clock.advanceMicros(100_000);
        }
        assertThat(admittedPerHour).isEqualTo(2);
        assertThat(admittedPerSecond).isEqualTo(10);
    }

    static Stream<Arguments> algorithmsOnEachStore() {
        return Stream.of(Algorithm.values())
                .flatMap(a -> Stream.of(StoreKind.values()).map(s -> Arguments.of(a, s)));
    }

    // ----------------------------------------- 4. a denial must not prune what a later step back counts again

    /**
     * SLIDING_WINDOW_LOG, 2 per 1 s. Permits at {@code T} and {@code T + W - 1}; at {@code T + W} a request of 2 is
     * denied (the entry of {@code T} no longer counts, the other does: 1 + 2 > 2) and, being denied, changes nothing
     * (it does not move the state's time either). The clock then steps back 1 µs: the request is decided at
     * {@code te = T + W - 1}, the last commit, where both entries count: denied, remaining 0, reset
     * {@code newest + W - te = W}, retry 1 µs (the entry of {@code T} ages out at {@code T + W}). Found by
     * {@code ModelPropertyTest}: the log's check pruned entries older than {@code t - W} even when it then denied, so
     * after the step back only one entry was left and the request was admitted (three permits within one window).
     */
    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aDeniedRequestForgetsNoLogEntryThatCountsAgainAfterAStepBack(StoreKind store) {
        long w = S;
        RateLimiter l = limiter(store, START);
        RateLimitRule rule = rule("log", Algorithm.SLIDING_WINDOW_LOG, 2, "1s");
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(1, w));
        clock.set(START + w - 1);
        assertThat(view(l.acquire("client", rule))).isEqualTo(allowed(0, w));
        clock.set(START + w);
        assertThat(view(l.acquire("client", rule.withCost(2)))).isEqualTo(denied(1, w - 1, w - 1));
        clock.set(START + w - 1);
        assertThat(view(l.acquire("client", rule))).isEqualTo(denied(0, w, 1));
    }

    // ------------------------------------------- 5. a step back far below the limiter's clock forgets nothing

    /**
     * 2 per 1 s; the limiter is made at {@code START} and the clock then steps back 4.5 s (e.g. an NTP step); five
     * requests at that one instant: the first two pass (remaining 1, then 0), the other three are denied with nothing
     * left. Nothing written at the stepped-back time can have expired yet: each state's expiry lies after the reading
     * that wrote it. Found by {@code ModelPropertyTest}: the in-memory store's cache runs on the highest reading
     * seen, which is past the new states' lease (their write time plus two windows), so it dropped each state as soon
     * as it was written and admitted all five (before and after the issue 16 rewrite).
     */
    @ParameterizedTest
    @MethodSource("algorithmsOnEachStore")
    void aClockSteppingBackFarAdmitsNoMoreThanTheLimit(Algorithm algorithm, StoreKind store) {
        RateLimiter l = limiter(store, START);
        RateLimitRule rule = rule("back", algorithm, 2, "1s");
        clock.set(START - 4 * S - S / 2);
        List<Boolean> allowed = new ArrayList<>();
        List<Long> remaining = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Decision d = l.acquire("client", rule);
            allowed.add(d.allowed());
            remaining.add(d.remaining());
        }
        assertThat(allowed).containsExactly(true, true, false, false, false);
        assertThat(remaining).containsExactly(1L, 0L, 0L, 0L, 0L);
    }
}
