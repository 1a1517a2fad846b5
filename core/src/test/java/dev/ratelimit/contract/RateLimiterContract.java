package dev.ratelimit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every {@link RateLimiter} store must show, in the spirit of Bucket4j's TCK: each store's test class
 * extends this one and only says how to build a limiter on a given clock.
 *
 * <p>Every expectation is an exact value derived by hand from the algorithm's arithmetic (the Lua scripts and their
 * in-memory twins are the specification; {@code docs/algorithms.md} explains them). Unless a test says otherwise,
 * rules are 5 permits per 10 s and the clock starts at {@link #START}, 3 s into a calendar window (so {@code ws =
 * T0}): a fixed window then has 7 s left, a sliding-window counter 17 s until the end of the next window, and a token
 * bucket / GCRA of 5 per 10 s refills one permit every 2 s. Time only moves through the {@link ManualClock}.
 *
 * <p>Notation in comments: {@code L} limit, {@code W} window, {@code c} cost, {@code T = W / L}.
 */
public abstract class RateLimiterContract {

    /** One second in microseconds. */
    protected static final long S = 1_000_000L;
    /** 2026-01-01T00:00:00Z: a multiple of 10 s, 1 min, 1 h and 1 day, i.e. the start of a calendar window. */
    protected static final long T0 = ManualClock.DEFAULT_START_MICROS;
    /** The clock's reading when a test starts: 3 s into the window that starts at {@link #T0}. */
    protected static final long START = T0 + 3 * S;

    /** The clock shared by the limiter under test and the test. */
    protected ManualClock clock;
    /** The limiter under test, on {@link #clock}. */
    protected RateLimiter limiter;

    /** A new limiter of the store under test, reading time from {@code clock}, with no state. */
    protected abstract RateLimiter newLimiter(TimeSource clock);

    /** The store the limiter under test reports in its decisions. */
    protected abstract Store expectedStore();

    @BeforeEach
    void createLimiter() {
        assertThat(T0 % (24 * 3600 * S)).as("T0 starts a calendar day").isZero();
        clock = new ManualClock(START);
        limiter = newLimiter(clock);
    }

    @AfterEach
    void closeLimiter() {
        limiter.close();
    }

    // ------------------------------------------------------------------------------------------------- 1. burst

    /**
     * L = 5 per 10 s, five single permits at one instant: remaining counts down 4..0, then the sixth is denied with
     * nothing left and an exact retry-after.
     * <ul>
     *   <li>fixed window: reset and retry are the end of the window, 7 s away;
     *   <li>sliding log: each entry counts for W: reset and retry 10 s;
     *   <li>sliding counter: reset is the end of the next window (17 s); the 6th fits once this window's 5 permits,
     *       weighted {@code (W - e) / W} in the next window, floor to 4: at {@code e = 1 µs}, so 7 s + 1 µs;
     *   <li>token bucket and GCRA: k permits taken leave a reset of {@code k * T = 2k s}; one token is back in 2 s.
     * </ul>
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void allowsUpToTheLimitThenDeniesWithAnExactRetryAfter(Algorithm algorithm) {
        RateLimitRule rule = rule("burst", algorithm, 5, "10s");
        for (int k = 1; k <= 5; k++) {
            long reset = by(algorithm, 7 * S, 10 * S, 17 * S, 2 * k * S, 2 * k * S);
            expect(acquire("client", rule), allowed(5 - k, reset));
        }
        Decision denied = acquire("client", rule);
        expect(denied, denied(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S),
                by(algorithm, 7 * S, 10 * S, 7 * S + 1, 2 * S, 2 * S)));
        assertThat(denied.retryAfterSeconds()).isEqualTo(by(algorithm, 7, 10, 8, 2, 2));
        // a denial consumes nothing: the same answer again
        expect(acquire("client", rule), view(denied.reported()));
    }

    // ------------------------------------------------------------------------------------- 2. retry-after exact

    /**
     * After the burst above, one microsecond short of the retry-after the request is still denied (now with a
     * retry-after of 1 µs) and at exactly the retry-after it passes.
     * <ul>
     *   <li>fixed window: at T0 + 10 s a new window starts: remaining 4, reset 10 s;
     *   <li>sliding log: at START + 10 s all five entries have aged out: remaining 4, reset 10 s;
     *   <li>sliding counter: at T0 + 10 s the estimate is still {@code floor(5 * 10/10) = 5} (reset: the previous
     *       window's weight is gone at the end of this one, 10 s); at T0 + 10 s + 1 µs it is
     *       {@code floor(5 * 9.9999999/10) = 4}: allowed with remaining 0, reset 20 s - 1 µs;
     *   <li>token bucket and GCRA: 1 µs early there are 0.9999995 tokens (reset 8 s + 1 µs); at 2 s one token.
     * </ul>
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void passesAtExactlyTheRetryAfterAndNotOneMicrosecondEarlier(Algorithm algorithm) {
        RateLimitRule rule = rule("exact", algorithm, 5, "10s");
        for (int k = 0; k < 5; k++) {
            assertThat(acquire("client", rule).allowed()).isTrue();
        }
        long retry = acquire("client", rule).retryAfter().toNanos() / 1_000L;
        assertThat(retry).isEqualTo(by(algorithm, 7 * S, 10 * S, 7 * S + 1, 2 * S, 2 * S));

        clock.set(START + retry - 1);
        expect(acquire("client", rule), denied(0, by(algorithm, 1, 1, 10 * S, 8 * S + 1, 8 * S + 1), 1));

        clock.set(START + retry);
        expect(acquire("client", rule), allowed(by(algorithm, 4, 4, 0, 0, 0),
                by(algorithm, 10 * S, 10 * S, 20 * S - 1, 10 * S, 10 * S)));
    }

    // ------------------------------------------------------------------------------ 3. window roll-over / refill

    /** Fixed window, 5 per minute: no permit comes back inside a window; all of them do at its end. */
    @Test
    void fixedWindowRefillsNothingInsideAWindowAndEverythingAtItsEnd() {
        RateLimitRule rule = rule("fw", Algorithm.FIXED_WINDOW, 5, "1m");
        expect(acquire("client", rule), allowed(4, 57 * S));
        expect(acquire("client", rule), allowed(3, 57 * S));
        clock.set(T0 + 30 * S);
        expect(acquire("client", rule), allowed(2, 30 * S));
        clock.set(T0 + 50 * S);
        expect(acquire("client", rule), allowed(1, 10 * S));
        expect(acquire("client", rule), allowed(0, 10 * S));
        expect(acquire("client", rule), denied(0, 10 * S, 10 * S));
        clock.set(T0 + 60 * S - 1);
        expect(acquire("client", rule), denied(0, 1, 1));
        clock.set(T0 + 60 * S);
        expect(acquire("client", rule), allowed(4, 60 * S));
    }

    /**
     * Fixed window, 5 per minute: five permits in the last 5 s of a window and five more in the first instant of the
     * next one, i.e. twice the limit within 5 s (the documented boundary effect).
     */
    @Test
    void fixedWindowAllowsTwiceTheLimitAcrossABoundary() {
        RateLimitRule rule = rule("fw", Algorithm.FIXED_WINDOW, 5, "1m");
        clock.set(T0 + 55 * S);
        for (int k = 1; k <= 5; k++) {
            expect(acquire("client", rule), allowed(5 - k, 5 * S));
        }
        expect(acquire("client", rule), denied(0, 5 * S, 5 * S));
        clock.set(T0 + 60 * S);
        for (int k = 1; k <= 5; k++) {
            expect(acquire("client", rule), allowed(5 - k, 60 * S));
        }
        expect(acquire("client", rule), denied(0, 60 * S, 60 * S));
    }

    /**
     * Sliding log, 5 per 10 s, one permit a second from START: permits come back one by one, each exactly W after it
     * was taken; a denial's reset is the newest entry's expiry and its retry-after the oldest entry's.
     */
    @Test
    void slidingLogFreesPermitsOneByOneAsEntriesAgeOut() {
        RateLimitRule rule = rule("swl", Algorithm.SLIDING_WINDOW_LOG, 5, "10s");
        for (int k = 0; k < 5; k++) {
            clock.set(START + k * S);
            expect(acquire("client", rule), allowed(4 - k, 10 * S));
        }
        clock.set(START + 5 * S); // entries at START+0..4 s
        expect(acquire("client", rule), denied(0, 9 * S, 5 * S));
        clock.set(START + 10 * S - 1);
        expect(acquire("client", rule), denied(0, 4 * S + 1, 1));
        clock.set(START + 10 * S); // the entry of START ages out
        expect(acquire("client", rule), allowed(0, 10 * S));
        expect(acquire("client", rule), denied(0, 10 * S, 1 * S)); // next: START+1 s, free at START+11 s
        clock.set(START + 11 * S);
        expect(acquire("client", rule), allowed(0, 10 * S));
        expect(acquire("client", rule), denied(0, 10 * S, 1 * S));
        clock.set(START + 13 * S); // START+2 s and START+3 s age out; left: +4, +10, +11 s
        expect(acquire("client", rule), allowed(1, 10 * S));
        expect(acquire("client", rule), allowed(0, 10 * S));
        expect(acquire("client", rule), denied(0, 10 * S, 1 * S));
    }

    /**
     * Sliding log, 5 per 10 s: a request of cost c, denied with n entries held, may retry when the
     * {@code (n + c - L)}-th oldest entry ages out, counting an entry per permit (a cost-2 request makes two).
     */
    @Test
    void slidingLogRetryAfterIsWhenTheKthOldestEntryAgesOut() {
        RateLimitRule rule = rule("swl", Algorithm.SLIDING_WINDOW_LOG, 5, "10s");
        expect(acquire("client", rule), allowed(4, 10 * S));
        clock.set(START + 1 * S);
        expect(acquire("client", rule), allowed(3, 10 * S));
        clock.set(START + 2 * S);
        expect(acquire("client", rule), allowed(2, 10 * S));
        clock.set(START + 3 * S);
        expect(acquire("client", rule.withCost(2)), allowed(0, 10 * S));
        clock.set(START + 4 * S); // entries: START, +1 s, +2 s, +3 s, +3 s; newest expires in 9 s
        expect(acquire("client", rule.withCost(1)), denied(0, 9 * S, 6 * S)); // 1st oldest: START
        expect(acquire("client", rule.withCost(2)), denied(0, 9 * S, 7 * S)); // 2nd: START+1 s
        expect(acquire("client", rule.withCost(3)), denied(0, 9 * S, 8 * S)); // 3rd: START+2 s
        expect(acquire("client", rule.withCost(4)), denied(0, 9 * S, 9 * S)); // 4th: START+3 s
        expect(acquire("client", rule.withCost(5)), denied(0, 9 * S, 9 * S)); // 5th: START+3 s as well
        clock.set(START + 12 * S); // START, +1 s, +2 s aged out
        expect(acquire("client", rule.withCost(3)), allowed(0, 10 * S));
        clock.set(START + 13 * S - 1); // both entries of START+3 s still count
        expect(acquire("client", rule.withCost(1)), denied(0, 9 * S + 1, 1)); // newest: START+12 s
        clock.set(START + 13 * S); // both leave together
        expect(acquire("client", rule.withCost(2)), allowed(0, 10 * S));
    }

    /**
     * Sliding-window counter, 10 per 10 s: 8 permits at T0 + 5 s, then a probe of cost 10 (denied whenever the
     * estimate is above zero, so it consumes nothing) reads {@code remaining = L - estimate} at points of the next
     * window: {@code estimate = floor(8 * (W - e) / W) + cur}. Its retry-after is when the estimate reaches 0:
     * {@code floor(8 * (W - e) / W) = 0} from {@code e = 8.75 s + 1 µs}.
     */
    @Test
    void slidingCounterWeighsThePreviousWindowByItsOverlap() {
        RateLimitRule rule = rule("swc", Algorithm.SLIDING_WINDOW_COUNTER, 10, "10s");
        RateLimitRule probe = rule.withCost(10);
        clock.set(T0 + 5 * S);
        expect(acquire("client", rule.withCost(8)), allowed(2, 15 * S));
        expect(acquire("client", probe), denied(2, 15 * S, 5 * S + 8_750_001)); // fits only in the next window

        long next = T0 + 10 * S;
        clock.set(next); // 8 * 10/10 = 8
        expect(acquire("client", probe), denied(2, 10 * S, 8_750_001));
        clock.set(next + 2_500_000); // 8 * 7.5/10 = 6
        expect(acquire("client", probe), denied(4, 7_500_000, 6_250_001));
        clock.set(next + 5 * S); // 8 * 5/10 = 4
        expect(acquire("client", probe), denied(6, 5 * S, 3_750_001));
        clock.set(next + 6 * S); // 8 * 4/10 = 3.2 -> 3
        expect(acquire("client", probe), denied(7, 4 * S, 2_750_001));
        expect(acquire("client", rule), allowed(6, 14 * S)); // 3 + 1 taken: 10 - 4
        clock.set(next + 7_500_000); // 8 * 2.5/10 + 1 = 3; cost 10 does not fit beside cur = 1 before the next window
        expect(acquire("client", probe), denied(7, 12_500_000, 2_500_001));
        clock.set(next + 8_750_000); // 8 * 1.25/10 = 1 -> 1 + 1
        expect(acquire("client", probe), denied(8, 11_250_000, 1_250_001));

        long third = T0 + 20 * S;
        clock.set(third); // previous = 1 (the one permit of the second window), weight 1
        expect(acquire("client", probe), denied(9, 10 * S, 1));
        clock.set(third + 1); // floor(1 * (W - 1 µs)/W) = 0: the full limit fits
        expect(acquire("client", probe), allowed(0, 20 * S - 1));

        clock.set(T0 + 40 * S); // a whole idle window later nothing of the old counts remains
        expect(acquire("client", rule), allowed(9, 20 * S));
    }

    /**
     * Token bucket and GCRA, 5 per 10 s: after the burst, exactly one permit every T = 2 s; half a period gives half
     * a token (not a permit); idle time refills up to the limit and no further. Both algorithms give the same
     * numbers throughout.
     */
    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"TOKEN_BUCKET", "GCRA"})
    void tokenBucketAndGcraRefillOnePermitPerWindowOverLimit(Algorithm algorithm) {
        RateLimitRule rule = rule("refill", algorithm, 5, "10s");
        for (int k = 1; k <= 5; k++) {
            expect(acquire("client", rule), allowed(5 - k, 2 * k * S));
        }
        expect(acquire("client", rule), denied(0, 10 * S, 2 * S));
        for (int k = 1; k <= 3; k++) {
            clock.set(START + 2 * k * S);
            expect(acquire("client", rule), allowed(0, 10 * S));
            expect(acquire("client", rule), denied(0, 10 * S, 2 * S));
        }
        clock.set(START + 7 * S); // 0.5 token
        expect(acquire("client", rule), denied(0, 9 * S, 1 * S));
        clock.set(START + 13 * S); // 3.5 tokens
        expect(acquire("client", rule), allowed(2, 5 * S));
        expect(acquire("client", rule.withCost(3)), denied(2, 5 * S, 1 * S));
        clock.set(START + 43 * S); // long idle: full, and no more than full
        for (int k = 1; k <= 5; k++) {
            expect(acquire("client", rule), allowed(5 - k, 2 * k * S));
        }
        expect(acquire("client", rule), denied(0, 10 * S, 2 * S));
    }

    /**
     * Token bucket and GCRA, 3 per 10 s: the interval T = 3,333,333.33 µs is not whole; times round up to the next
     * microsecond and no rounding accumulates (three intervals are exactly 10 s).
     */
    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"TOKEN_BUCKET", "GCRA"})
    void tokenBucketAndGcraRoundAFractionalIntervalUp(Algorithm algorithm) {
        RateLimitRule rule = rule("thirds", algorithm, 3, "10s");
        expect(acquire("client", rule), allowed(2, 3_333_334));
        expect(acquire("client", rule), allowed(1, 6_666_667));
        expect(acquire("client", rule), allowed(0, 10 * S));
        expect(acquire("client", rule), denied(0, 10 * S, 3_333_334));
        clock.set(START + 3_333_333); // 0.9999999 token
        expect(acquire("client", rule), denied(0, 6_666_667, 1));
        clock.set(START + 3_333_334); // 1.0000002 tokens
        expect(acquire("client", rule), allowed(0, 10 * S));
        expect(acquire("client", rule), denied(0, 10 * S, 3_333_333)); // 0.0000002 token left
    }

    // ---------------------------------------------------------------------------------------------- 4. cost > 1

    /**
     * L = 5 per 10 s: a cost of 3 takes three permits; another 3 does not fit (denied, nothing taken) while a cost of
     * 2 still does. The denial's retry-after: fixed window 7 s (end of window), log 10 s (the oldest entries were
     * taken at START), counter 7 s + 1 µs ({@code floor(3 * (W - e)/W) + 3 <= 5} from {@code e = 1 µs} of the next
     * window), token bucket / GCRA 2 s (one more token).
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aCostTakesThatManyPermitsAndADeniedCostTakesNone(Algorithm algorithm) {
        RateLimitRule rule = rule("cost", algorithm, 5, "10s");
        expect(acquire("client", rule.withCost(3)), allowed(2, by(algorithm, 7 * S, 10 * S, 17 * S, 6 * S, 6 * S)));
        expect(acquire("client", rule.withCost(3)), denied(2, by(algorithm, 7 * S, 10 * S, 17 * S, 6 * S, 6 * S),
                by(algorithm, 7 * S, 10 * S, 7 * S + 1, 2 * S, 2 * S)));
        expect(acquire("client", rule.withCost(2)), allowed(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S)));
        expect(acquire("client", rule.withCost(1)), denied(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S),
                by(algorithm, 7 * S, 10 * S, 7 * S + 1, 2 * S, 2 * S)));
    }

    // ------------------------------------------------------------------------------------------ 5. cost = limit

    /**
     * L = 5 per 10 s: a cost of the whole limit passes on a fresh key and then waits for the whole limit; a cost above
     * the limit, which could never pass, cannot even be built (issue 17: refused at deployment).
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aCostOfTheWholeLimitPassesOnceAndACostAboveItIsRefusedWhenBuilt(Algorithm algorithm) {
        RateLimitRule rule = rule("huge", algorithm, 5, "10s");
        assertThatThrownBy(() -> rule.withCost(6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cost 6 is above the limit 5: a request of that cost could never pass");
        long resetAfterTwo = by(algorithm, 7 * S, 10 * S, 17 * S, 4 * S, 4 * S);
        expect(acquire("client", rule.withCost(2)), allowed(3, resetAfterTwo));
        expect(acquire("client", rule.withCost(3)), allowed(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S)));
        expect(acquire("other", rule.withCost(5)), allowed(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S)));
    }

    // ----------------------------------------------------------------------------------------- 6. several rules

    /**
     * Rules A (2 per 10 s) and B (3 per minute), same algorithm, checked together from START (T0 + 3 s; T0 starts a
     * minute). The third call is denied by A alone and takes nothing from B; the fifth is denied by B (and for the
     * smoothing algorithms also by A) and takes nothing from A. Values, from the formulas of each algorithm:
     * <ul>
     *   <li>B's reset after k permits: fixed window 57 s (end of the minute), log 60 s, counter 117 s (end of the next
     *       minute), token bucket / GCRA {@code k * 20 s};
     *   <li>A is available again after 7 s (fixed window: T0 + 10 s), 10 s (log), 7 s + 1 µs (counter), 5 s (token
     *       bucket / GCRA: T = 5 s).
     * </ul>
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void severalRulesAreCheckedTogetherAndADenialConsumesFromNone(Algorithm algorithm) {
        RateLimitRule a = rule("a", algorithm, 2, "10s");
        RateLimitRule b = rule("b", algorithm, 3, "1m");

        Decision d1 = acquire("client", a, b);
        assertThat(d1.allowed()).isTrue();
        assertThat(views(d1)).containsExactly(
                allowed(1, by(algorithm, 7 * S, 10 * S, 17 * S, 5 * S, 5 * S)),
                allowed(2, by(algorithm, 57 * S, 60 * S, 117 * S, 20 * S, 20 * S)));
        assertThat(d1.reported().rule()).isEqualTo(a); // fewest left
        assertThat(d1.retryAfter()).isZero();

        Decision d2 = acquire("client", a, b);
        assertThat(views(d2)).containsExactly(
                allowed(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S)),
                allowed(1, by(algorithm, 57 * S, 60 * S, 117 * S, 40 * S, 40 * S)));
        assertThat(d2.reported().rule()).isEqualTo(a);
        assertThat(d2.remaining()).isZero();

        long retryA = by(algorithm, 7 * S, 10 * S, 7 * S + 1, 5 * S, 5 * S);
        Decision d3 = acquire("client", a, b);
        assertThat(d3.allowed()).isFalse();
        assertThat(views(d3)).containsExactly(
                denied(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S), retryA),
                new View(true, 1, by(algorithm, 57 * S, 60 * S, 117 * S, 40 * S, 40 * S), 0));
        assertThat(d3.reported().rule()).isEqualTo(a);
        assertThat(d3.retryAfter()).isEqualTo(micros(retryA));

        clock.set(START + retryA);
        Decision d4 = acquire("client", a, b);
        assertThat(d4.allowed()).isTrue();
        assertThat(views(d4)).containsExactly( // B at 0: the denied third call took nothing from it
                allowed(by(algorithm, 1, 1, 0, 0, 0), by(algorithm, 10 * S, 10 * S, 20 * S - 1, 10 * S, 10 * S)),
                allowed(0, by(algorithm, 50 * S, 60 * S, 110 * S - 1, 55 * S, 55 * S)));
        assertThat(d4.reported().rule()).isEqualTo(b); // fewest left, or equally few with the longer reset

        long retryB = by(algorithm, 50 * S, 50 * S, 50 * S, 15 * S, 15 * S);
        View aInD5 = algorithm == Algorithm.FIXED_WINDOW || algorithm == Algorithm.SLIDING_WINDOW_LOG
                ? new View(true, 1, 10 * S, 0)
                : denied(0, by(algorithm, 0, 0, 20 * S - 1, 10 * S, 10 * S), by(algorithm, 0, 0, 5 * S, 5 * S, 5 * S));
        Decision d5 = acquire("client", a, b);
        assertThat(d5.allowed()).isFalse();
        assertThat(views(d5)).containsExactly(aInD5,
                denied(0, by(algorithm, 50 * S, 60 * S, 110 * S - 1, 55 * S, 55 * S), retryB));
        assertThat(d5.reported().rule()).isEqualTo(b); // the denying rule with the longest wait
        assertThat(d5.retryAfter()).isEqualTo(micros(retryB));

        // A alone: the denied fifth call took nothing from A either
        Decision aAlone = acquire("client", a);
        if (aInD5.allowed()) {
            expect(aAlone, allowed(0, 10 * S));
        } else {
            expect(aAlone, aInD5);
        }
    }

    /**
     * {@link Decision#reported()} and {@link Decision#retryAfter()} with rules of different algorithms: X is a fixed
     * window of 1 per 10 s, Y a token bucket of 1 per minute.
     */
    @Test
    void theDecisionReportsTheMostRestrictiveRule() {
        RateLimitRule x = rule("x", Algorithm.FIXED_WINDOW, 1, "10s");
        RateLimitRule y = rule("y", Algorithm.TOKEN_BUCKET, 1, "1m");

        Decision both = acquire("client", x, y);
        assertThat(views(both)).containsExactly(allowed(0, 7 * S), allowed(0, 60 * S));
        assertThat(both.reported().rule()).as("equally few left: the longer reset").isEqualTo(y);
        assertThat(both.limit()).isEqualTo(1);
        assertThat(both.remaining()).isZero();
        assertThat(both.resetAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(both.retryAfter()).isZero();
        assertThat(both.retryAfterSeconds()).isZero();

        Decision bothDeny = acquire("client", x, y);
        assertThat(views(bothDeny)).containsExactly(denied(0, 7 * S, 7 * S), denied(0, 60 * S, 60 * S));
        assertThat(bothDeny.reported().rule()).as("both deny: the longer wait").isEqualTo(y);
        assertThat(bothDeny.retryAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(bothDeny.retryAfterSeconds()).isEqualTo(60);

        clock.set(T0 + 10 * S); // X's next window; Y has 7/60 of a token
        Decision oneDenies = acquire("client", x, y);
        assertThat(views(oneDenies)).containsExactly(new View(true, 1, 0, 0), denied(0, 53 * S, 53 * S));
        assertThat(oneDenies.allowed()).isFalse();
        assertThat(oneDenies.reported().rule()).isEqualTo(y);
        assertThat(oneDenies.retryAfter()).isEqualTo(Duration.ofSeconds(53));
        assertThat(oneDenies.resetAfter()).isEqualTo(Duration.ofSeconds(53));

        clock.set(T0 + 10 * S + 1); // X alone: its permit of T0 + 10 s was not taken
        expect(acquire("client", x), allowed(0, 10 * S - 1));
    }

    /**
     * All five algorithms in one call (distinct names and limits, 10 s windows): the token bucket of 2 denies the
     * third call and every other rule reports its state untouched; 5 s later all pass.
     */
    @Test
    void mixedAlgorithmsInOneCall() {
        RateLimitRule fw = rule("fw", Algorithm.FIXED_WINDOW, 6, "10s");
        RateLimitRule log = rule("log", Algorithm.SLIDING_WINDOW_LOG, 5, "10s");
        RateLimitRule counter = rule("counter", Algorithm.SLIDING_WINDOW_COUNTER, 8, "10s");
        RateLimitRule bucket = rule("bucket", Algorithm.TOKEN_BUCKET, 2, "10s");
        RateLimitRule gcra = rule("gcra", Algorithm.GCRA, 4, "10s"); // T = 2.5 s
        RateLimitRule[] all = {fw, log, counter, bucket, gcra};

        Decision d1 = acquire("client", all);
        assertThat(views(d1)).containsExactly(allowed(5, 7 * S), allowed(4, 10 * S), allowed(7, 17 * S),
                allowed(1, 5 * S), allowed(3, 2_500_000));
        Decision d2 = acquire("client", all);
        assertThat(views(d2)).containsExactly(allowed(4, 7 * S), allowed(3, 10 * S), allowed(6, 17 * S),
                allowed(0, 10 * S), allowed(2, 5 * S));
        assertThat(d2.reported().rule()).isEqualTo(bucket);

        Decision d3 = acquire("client", all);
        assertThat(d3.allowed()).isFalse();
        assertThat(views(d3)).containsExactly(new View(true, 4, 7 * S, 0), new View(true, 3, 10 * S, 0),
                new View(true, 6, 17 * S, 0), denied(0, 10 * S, 5 * S), new View(true, 2, 5 * S, 0));
        assertThat(d3.reported().rule()).isEqualTo(bucket);
        assertThat(d3.retryAfter()).isEqualTo(Duration.ofSeconds(5));

        clock.set(START + 5 * S); // T0 + 8 s
        Decision d4 = acquire("client", all);
        assertThat(d4.allowed()).isTrue();
        assertThat(views(d4)).containsExactly(allowed(3, 2 * S), allowed(2, 10 * S), allowed(5, 12 * S),
                allowed(0, 10 * S), allowed(3, 2_500_000));
        assertThat(d4.reported().rule()).isEqualTo(bucket);
    }

    // ------------------------------------------------------------------------------------------------- 7. keys

    /**
     * 2 per 10 s under keys that must not share a counter: short ones, 10 KB ones differing in the last character,
     * a 64-character prefix of one of them, the store form of a hashed key used as a raw key, and non-ASCII keys.
     * Each key's first permit leaves 1 (fresh), its second 0, its third is denied.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void distinctKeysAreIndependentIncludingLongAndNonAsciiOnes(Algorithm algorithm) {
        RateLimitRule rule = rule("keys", algorithm, 2, "10s");
        String long1 = "k".repeat(10 * 1024);
        String long2 = long1.substring(0, long1.length() - 1) + "x";
        List<String> keys = List.of("alice", "bob", long1, long2, long1.substring(0, ClientKeys.MAX_RAW_LENGTH),
                ClientKeys.normalize(long1), "clé-ключ-鍵-🔑", "clé-ключ-鍵-🗝", "cle-kljuch", "~alice", "{alice}");
        assertThat(keys).doesNotHaveDuplicates();

        for (String key : keys) {
            expect(acquire(key, rule), allowed(1, by(algorithm, 7 * S, 10 * S, 17 * S, 5 * S, 5 * S)));
        }
        for (String key : keys) {
            expect(acquire(key, rule), allowed(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S)));
        }
        for (String key : keys) {
            assertThat(acquire(key, rule).allowed()).as("third permit of %s", key.length() > 80 ? "a long key" : key)
                    .isFalse();
        }
        expect(acquire("carol", rule), allowed(1, by(algorithm, 7 * S, 10 * S, 17 * S, 5 * S, 5 * S)));
    }

    // --------------------------------------------------------------------------------------------- 8. invalid

    /**
     * An empty key, no rules, or one counter twice (same name, algorithm, limit and window, whatever the cost):
     * IllegalArgumentException, nothing taken. A rule of the same name with another limit and window is another
     * counter: it may join the call, and it counts on its own.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void invalidCallsAreRejectedWithoutConsuming(Algorithm algorithm) {
        RateLimitRule rule = rule("dup", algorithm, 5, "10s");
        RateLimitRule other = rule("other", algorithm, 5, "10s");
        RateLimitRule sameNameOtherLimit = rule("dup", algorithm, 7, "1m");

        assertThatThrownBy(() -> limiter.acquire("", rule)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.acquire("", List.of(rule))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.acquire("client", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.acquire("client", List.of(rule, rule)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.acquire("client", List.of(rule.withCost(2), rule)))
                .isInstanceOf(IllegalArgumentException.class);

        Decision first = acquire("client", rule, other);
        assertThat(first.allowed()).isTrue();
        assertThat(first.limits()).extracting(RuleOutcome::remaining).containsExactly(4L, 4L);
        Decision shared = acquire("client", rule, sameNameOtherLimit);
        assertThat(shared.allowed()).isTrue();
        assertThat(shared.limits()).extracting(RuleOutcome::remaining).containsExactly(3L, 6L);
    }

    // ------------------------------------------------------------------------------------- 9. changed rules

    /**
     * A rule whose limit changes (an operator's override counts on the declared rule's counter): a client keeps what
     * it had used. 6 of 10 taken; at 4 it is denied (nothing left, an honest retry-after); at 20 it has 14 left
     * under the windows, whose counts stay exact, and 16 under the token bucket and GCRA, which carried at most the
     * limit of 4 as used; back at 10 (one more taken under 20, one now) the windows have 2 left — never a fresh
     * burst.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aChangedLimitKeepsWhatTheClientUsedInBothDirections(Algorithm algorithm) {
        RateLimitRule declared = rule("changed", algorithm, 10, "10s");
        for (int k = 0; k < 6; k++) {
            assertThat(acquire("client", declared).allowed()).isTrue();
        }
        RateLimitRule lower = changed(declared, 4, "10s");
        Decision denied = acquire("client", lower);
        assertThat(denied.allowed()).as("6 used of a limit of 4").isFalse();
        assertThat(denied.remaining()).isZero();
        long retry = denied.retryAfter().toNanos() / 1_000L;
        clock.set(START + retry - 1);
        assertThat(acquire("client", lower).allowed()).as("1 µs before the retry-after").isFalse();
        clock.set(START + retry);
        assertThat(acquire("client", lower).allowed()).as("at the retry-after").isTrue();

        clock.set(START);
        limiter.close();
        limiter = newLimiter(clock);
        for (int k = 0; k < 6; k++) {
            assertThat(acquire("again", declared).allowed()).isTrue();
        }
        assertThat(acquire("again", lower).allowed()).isFalse();
        RateLimitRule higher = changed(declared, 20, "10s");
        Decision raised = acquire("again", higher);
        assertThat(raised.allowed()).isTrue();
        assertThat(raised.remaining()).as("20 less what was used (and this one)").isEqualTo(by(algorithm, 13, 13, 13,
                15, 15));
        Decision back = acquire("again", declared);
        assertThat(back.remaining()).as("back at 10, 8 used, this one included (the token bucket and GCRA: 6)")
                .isEqualTo(by(algorithm, 2, 2, 2, 4, 4));
    }

    /**
     * A changed window: the 6 permits used under 10 per 10 s stay used under 10 per minute (the fixed window and the
     * sliding counter count them in the new window; the log's entries count while within it; the token bucket and GCRA
     * refill them at the new rate), so 4 are left, and a request of cost 5 gets an honest retry-after.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aChangedWindowKeepsWhatTheClientUsedAndAnHonestRetryAfter(Algorithm algorithm) {
        RateLimitRule declared = rule("rewindowed", algorithm, 10, "10s");
        for (int k = 0; k < 6; k++) {
            assertThat(acquire("client", declared).allowed()).isTrue();
        }
        RateLimitRule longer = changed(declared, 10, "1m");
        Decision peek = acquire("client", longer.withCost(5));
        assertThat(peek.allowed()).isFalse();
        assertThat(peek.remaining()).isEqualTo(4);
        long retry = peek.retryAfter().toNanos() / 1_000L;
        assertThat(retry).as("within the new rule's reach").isPositive().isLessThanOrEqualTo(120 * S);
        clock.set(START + retry - 1);
        assertThat(acquire("client", longer.withCost(5)).allowed()).as("1 µs before the retry-after").isFalse();
        clock.set(START + retry);
        assertThat(acquire("client", longer.withCost(5)).allowed()).as("at the retry-after").isTrue();
    }

    // ------------------------------------------------------------------------------ 10. operations (issue 21)

    /**
     * Peek: the decision a request would get, nothing taken. 5 per 10 s, 2 taken at START: a peek admits with the 3
     * permits left before the request (reset as after the second acquisition), twice alike; the next acquisition
     * takes the third permit. Once the limit is used up, a peek answers exactly the denial an acquisition gives.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void peekConsumesNothingAndAnswersAsAcquireWould(Algorithm algorithm) {
        RateLimitRule rule = rule("peek", algorithm, 5, "10s");
        expect(peek("nobody", rule), allowed(5, 0));
        acquire("client", rule);
        acquire("client", rule);
        View before = allowed(3, by(algorithm, 7 * S, 10 * S, 17 * S, 4 * S, 4 * S));
        expect(peek("client", rule), before);
        expect(peek("client", rule), before);
        expect(acquire("client", rule), allowed(2, by(algorithm, 7 * S, 10 * S, 17 * S, 6 * S, 6 * S)));
        acquire("client", rule);
        acquire("client", rule);
        Decision denied = acquire("client", rule);
        assertThat(denied.allowed()).isFalse();
        Decision peeked = peek("client", rule);
        expect(peeked, view(denied.reported()));
        assertThat(peeked.retryAfter()).isEqualTo(denied.retryAfter());
        expect(acquire("client", rule), view(denied.reported()));
        expect(peek("nobody", rule), allowed(5, 0)); // a peek created no state
    }

    /** Reset: a client that used up its limit gets the whole limit back at once; an unknown client stays fresh. */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void resetGivesTheFullLimitBack(Algorithm algorithm) {
        RateLimitRule rule = rule("reset", algorithm, 5, "10s");
        for (int k = 0; k < 5; k++) {
            acquire("client", rule);
        }
        assertThat(acquire("client", rule).allowed()).isFalse();
        limiter.reset("client", rule);
        limiter.reset("nobody", rule);
        expect(peek("client", rule), allowed(5, 0));
        for (int k = 1; k <= 5; k++) {
            expect(acquire("client", rule), allowed(5 - k, by(algorithm, 7 * S, 10 * S, 17 * S, 2 * k * S,
                    2 * k * S)));
        }
        assertThat(acquire("client", rule).allowed()).isFalse();
        expect(acquire("nobody", rule), allowed(4, by(algorithm, 7 * S, 10 * S, 17 * S, 2 * S, 2 * S)));
        assertThatThrownBy(() -> limiter.reset("", rule)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Block, whatever the algorithm: a client that took one permit at START + 5 s is blocked there for 30 s. Every
     * request is denied with nothing left and reset and retry-after the time the block has left, counted from the
     * call's own clock (also when the clock steps back behind the permit's time: 35 s); 1 µs before the end 1 µs;
     * at the end the client starts fresh (at T0 + 38 s: a fixed window ends in 2 s, a counter's next window in 12 s).
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void blockDeniesWithAnExactRetryAfterUntilItEndsThenTheClientStartsFresh(Algorithm algorithm) {
        RateLimitRule rule = rule("block", algorithm, 5, "10s");
        clock.set(START + 5 * S);
        assertThat(acquire("client", rule).allowed()).isTrue();
        limiter.block("client", rule, Duration.ofSeconds(30));
        Decision denied = acquire("client", rule);
        expect(denied, denied(0, 30 * S, 30 * S));
        assertThat(denied.retryAfterSeconds()).isEqualTo(30);
        expect(peek("client", rule), denied(0, 30 * S, 30 * S));
        expect(acquire("client", rule.withCost(5)), denied(0, 30 * S, 30 * S));
        clock.set(START); // back behind the permit taken at START + 5 s
        expect(acquire("client", rule), denied(0, 35 * S, 35 * S));
        clock.set(START + 35 * S - 1);
        expect(acquire("client", rule), denied(0, 1, 1));
        clock.set(START + 35 * S);
        expect(peek("client", rule), allowed(5, 0));
        expect(acquire("client", rule), allowed(4, by(algorithm, 2 * S, 10 * S, 12 * S, 2 * S, 2 * S)));
        expect(acquire("other", rule), allowed(4, by(algorithm, 2 * S, 10 * S, 12 * S, 2 * S, 2 * S)));
    }

    /** A later block replaces an earlier one, shorter or longer; a reset lifts it; a refund leaves it as it is. */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aBlockIsReplacedByTheNextLiftedByAResetAndKeptByARefund(Algorithm algorithm) {
        RateLimitRule rule = rule("reblock", algorithm, 5, "10s");
        limiter.block("client", rule, Duration.ofMinutes(10));
        limiter.block("client", rule, Duration.ofSeconds(5));
        expect(acquire("client", rule), denied(0, 5 * S, 5 * S));
        limiter.refund("client", rule, 5);
        expect(acquire("client", rule), denied(0, 5 * S, 5 * S));
        limiter.block("client", rule, Duration.ofHours(1));
        expect(acquire("client", rule), denied(0, 3600 * S, 3600 * S));
        limiter.reset("client", rule);
        expect(acquire("client", rule), allowed(4, by(algorithm, 7 * S, 10 * S, 17 * S, 2 * S, 2 * S)));
        assertThatThrownBy(() -> limiter.block("client", rule, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.block("client", rule, Duration.ofDays(367)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Several rules: a blocked rule denies the request and nothing is taken from the others; the others report their
     * state untouched.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aBlockedRuleDeniesARequestOfSeveralRulesAndNothingIsTaken(Algorithm algorithm) {
        RateLimitRule a = rule("a", algorithm, 5, "10s");
        RateLimitRule b = rule("b", algorithm, 3, "1m");
        limiter.block("client", b, Duration.ofSeconds(20));
        Decision d = acquire("client", a, b);
        assertThat(d.allowed()).isFalse();
        assertThat(views(d)).containsExactly(new View(true, 5, 0, 0), denied(0, 20 * S, 20 * S));
        assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(20));
        expect(acquire("client", a), allowed(4, by(algorithm, 7 * S, 10 * S, 17 * S, 2 * S, 2 * S)));
    }

    /**
     * Refund, per algorithm (docs/operating.md): 3 of 5 taken at START, 2 given back: 4 left (the fixed window and the
     * counter count 1 in the window, the log keeps its oldest entry, the token bucket and GCRA hold 4 tokens); 10 more
     * given back: never above the limit, the client is fresh.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void refundGivesPermitsBackNeverAboveTheLimit(Algorithm algorithm) {
        RateLimitRule rule = rule("refund", algorithm, 5, "10s");
        expect(acquire("client", rule.withCost(3)), allowed(2, by(algorithm, 7 * S, 10 * S, 17 * S, 6 * S, 6 * S)));
        limiter.refund("client", rule, 2);
        expect(peek("client", rule), allowed(4, by(algorithm, 7 * S, 10 * S, 17 * S, 2 * S, 2 * S)));
        expect(acquire("client", rule.withCost(4)), allowed(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S)));
        limiter.refund("client", rule, 10);
        expect(peek("client", rule), allowed(5, 0));
        limiter.refund("nobody", rule, 1);
        expect(peek("nobody", rule), allowed(5, 0));
        assertThatThrownBy(() -> limiter.refund("client", rule, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Refund on the sliding-window counter: from the current window first, then the previous one. 4 taken at T0 + 5 s,
     * 1 at T0 + 12 s: estimate {@code floor(4 * 8/10) + 1 = 4}. Giving back 2 leaves the current window 0 and the
     * previous 3: {@code floor(3 * 8/10) = 2}, 3 left, full again at the end of this window (8 s).
     */
    @Test
    void slidingCounterRefundTakesFromTheCurrentWindowThenThePrevious() {
        RateLimitRule rule = rule("swc-refund", Algorithm.SLIDING_WINDOW_COUNTER, 5, "10s");
        clock.set(T0 + 5 * S);
        assertThat(acquire("client", rule.withCost(4)).allowed()).isTrue();
        clock.set(T0 + 12 * S);
        expect(acquire("client", rule), allowed(1, 18 * S));
        limiter.refund("client", rule, 2);
        expect(peek("client", rule), allowed(3, 8 * S));
    }

    /**
     * Sliding log: a refund removes the newest entries, across times. Entries at START, START + 1 s, START + 2 s (two);
     * giving back 3 leaves the one of START: 4 left, the newest entry expiring at START + 10 s.
     */
    @Test
    void slidingLogRefundRemovesTheNewestEntries() {
        RateLimitRule rule = rule("swl-refund", Algorithm.SLIDING_WINDOW_LOG, 5, "10s");
        acquire("client", rule);
        clock.set(START + S);
        acquire("client", rule);
        clock.set(START + 2 * S);
        acquire("client", rule.withCost(2));
        limiter.refund("client", rule, 3);
        expect(peek("client", rule), allowed(4, 8 * S));
        expect(acquire("client", rule.withCost(4)), allowed(0, 10 * S));
        expect(acquire("client", rule), denied(0, 10 * S, 8 * S)); // the entry of START is the oldest
    }

    /**
     * A rule that blocks for a minute after a denial, 2 per 10 s: the third request is denied and blocks, so its
     * retry-after is the minute (not the algorithm's own wait); 30 s later still blocked although the algorithm would
     * have refilled; after the minute the client starts fresh. A peek never blocks; a denial by the block in force does
     * not block again.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aRuleThatBlocksAfterADenialBlocksTheClient(Algorithm algorithm) {
        RateLimitRule rule = RateLimitRule.custom().name("penalty").limit(2).window("10s").algorithm(algorithm)
                .blockAfterDenial(Duration.ofMinutes(1)).build();
        acquire("client", rule);
        acquire("client", rule);
        expect(peek("client", rule), denied(0, by(algorithm, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S),
                by(algorithm, 7 * S, 10 * S, 7 * S + 1, 5 * S, 5 * S)));
        expect(acquire("client", rule), denied(0, 60 * S, 60 * S));
        clock.set(START + 30 * S);
        expect(acquire("client", rule), denied(0, 30 * S, 30 * S));
        clock.set(START + 60 * S);
        expect(acquire("client", rule), allowed(1, by(algorithm, 7 * S, 10 * S, 17 * S, 5 * S, 5 * S)));

        // several rules: only the rule that denies blocks
        RateLimitRule plain = rule("plain", algorithm, 5, "10s");
        acquire("other", plain, rule);
        acquire("other", plain, rule);
        Decision d = acquire("other", plain, rule);
        assertThat(views(d).get(1)).isEqualTo(denied(0, 60 * S, 60 * S));
        assertThat(views(d).get(0).allowed()).isTrue();
        assertThat(views(d).get(0).remaining()).isEqualTo(3);
        expect(peek("other", rule), denied(0, 60 * S, 60 * S));
    }

    /** {@code declared} with another limit and window, counting on its counter (as an operator's override does). */
    protected static RateLimitRule changed(RateLimitRule declared, long limit, String window) {
        return declared.toBuilder().limit(limit).window(window).sameCounterAs(declared).build();
    }

    // --------------------------------------------------------------------------------------------- helpers

    /** A rule of {@code limit} per {@code window} under {@code algorithm}, cost 1. */
    protected static RateLimitRule rule(String name, Algorithm algorithm, long limit, String window) {
        return RateLimitRule.custom().name(name).limit(limit).window(window).algorithm(algorithm).build();
    }

    /** The limiter's decision for {@code rules} (in this order) on {@code key}; checks the store and the shape. */
    protected Decision acquire(String key, RateLimitRule... rules) {
        Decision d = limiter.acquire(key, List.of(rules));
        assertThat(d.store()).isEqualTo(expectedStore());
        assertThat(d.limits()).extracting(RuleOutcome::rule).containsExactly(rules);
        return d;
    }

    /** The limiter's peek for {@code rules} (in this order) on {@code key}; checks the store and the shape. */
    protected Decision peek(String key, RateLimitRule... rules) {
        Decision d = limiter.peek(key, List.of(rules));
        assertThat(d.store()).isEqualTo(expectedStore());
        assertThat(d.limits()).extracting(RuleOutcome::rule).containsExactly(rules);
        return d;
    }

    /** The value for {@code algorithm} out of one per algorithm, in {@link Algorithm} order. */
    protected static long by(Algorithm algorithm, long fixedWindow, long slidingLog, long slidingCounter,
            long tokenBucket, long gcra) {
        switch (algorithm) {
            case FIXED_WINDOW: return fixedWindow;
            case SLIDING_WINDOW_LOG: return slidingLog;
            case SLIDING_WINDOW_COUNTER: return slidingCounter;
            case TOKEN_BUCKET: return tokenBucket;
            case GCRA: return gcra;
            default: throw new IllegalArgumentException("unknown algorithm " + algorithm);
        }
    }

    /** The four numbers of a {@link RuleOutcome}, without its rule, so expectations read as one line. */
    protected record View(boolean allowed, long remaining, long resetMicros, long retryMicros) {
        @Override
        public String toString() {
            return (allowed ? "allowed" : "denied") + "(remaining " + remaining + ", reset " + resetMicros
                    + " µs, retry " + retryMicros + " µs)";
        }
    }

    /** An allowed rule's expected state: after taking the permits, nothing to wait for. */
    protected static View allowed(long remaining, long resetMicros) {
        return new View(true, remaining, resetMicros, 0);
    }

    /** A denying rule's expected state: as it is, and the wait until the same request would pass. */
    protected static View denied(long remaining, long resetMicros, long retryMicros) {
        return new View(false, remaining, resetMicros, retryMicros);
    }

    protected static View view(RuleOutcome s) {
        return new View(s.allowed(), s.remaining(), s.resetMicros(), s.retryMicros());
    }

    protected static List<View> views(Decision d) {
        List<View> views = new ArrayList<>();
        for (RuleOutcome s : d.limits()) {
            views.add(view(s));
        }
        return views;
    }

    protected static Duration micros(long micros) {
        return Duration.ofNanos(micros * 1_000L);
    }

    /** A one-rule decision: its rule's state and the decision's own accessors agree with {@code expected}. */
    protected static void expect(Decision d, View expected) {
        assertThat(d.limits()).hasSize(1);
        assertThat(view(d.limits().get(0))).isEqualTo(expected);
        assertThat(d.allowed()).isEqualTo(expected.allowed());
        assertThat(d.remaining()).isEqualTo(expected.remaining());
        assertThat(d.resetAfter()).isEqualTo(micros(expected.resetMicros()));
        assertThat(d.retryAfter()).isEqualTo(micros(expected.retryMicros()));
        assertThat(d.retryAfterSeconds()).isEqualTo((expected.retryMicros() + S - 1) / S);
    }
}
