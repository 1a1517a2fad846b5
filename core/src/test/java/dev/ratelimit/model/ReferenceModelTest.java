package dev.ratelimit.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.model.ReferenceModel.Outcome;
import dev.ratelimit.model.ReferenceModel.RuleResult;
import dev.ratelimit.testing.ManualClock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reference model against values derived by hand (the same as {@code RateLimiterContract}'s), so the property
 * suite's oracle is itself checked: 5 permits per 10 s, the clock 3 s into a window.
 */
class ReferenceModelTest {

    private static final long S = 1_000_000L;
    private static final long T0 = ManualClock.DEFAULT_START_MICROS;
    private static final long START = T0 + 3 * S;

    private static RateLimitRule rule(Algorithm algorithm, long limit, String window) {
        return RateLimitRule.custom().name("r").limit(limit).window(window).algorithm(algorithm).build();
    }

    private static long by(Algorithm a, long fw, long log, long counter, long bucket, long gcra) {
        return new long[] {fw, log, counter, bucket, gcra}[a.ordinal()];
    }

    private static RuleResult one(ReferenceModel m, long t, String key, RateLimitRule rule) {
        Outcome o = m.acquire(t, List.of(new KeyedRule(key, rule)));
        return o.rules().get(0);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aBurstThenAnExactRetryAfter(Algorithm a) {
        ReferenceModel m = new ReferenceModel();
        RateLimitRule rule = rule(a, 5, "10s");
        for (int k = 1; k <= 5; k++) {
            RuleResult r = one(m, START, "c", rule);
            assertThat(r).isEqualTo(new RuleResult(true, 5 - k, by(a, 7 * S, 10 * S, 17 * S, 2 * k * S, 2 * k * S),
                    0, START, by(a, 7 * S, 10 * S, 7 * S + 1, 2 * S, 2 * S)));
        }
        RuleResult denied = one(m, START, "c", rule);
        assertThat(denied).isEqualTo(new RuleResult(false, 0, by(a, 7 * S, 10 * S, 17 * S, 10 * S, 10 * S),
                by(a, 7 * S, 10 * S, 7 * S + 1, 2 * S, 2 * S), START));
        long retry = denied.retryMicros();
        assertThat(one(m, START + retry - 1, "c", rule).allowed()).isFalse();
        assertThat(one(m, START + retry, "c", rule).allowed()).isTrue();
    }

    /** The TTL: {@code max(1, ceil((fresh - t) / 1000))} ms, from the raw clock reading. */
    @Test
    void theTtlIsTheTimeUntilFreshInWholeMillisecondsFromTheRawReading() {
        ReferenceModel m = new ReferenceModel();
        Outcome fw = m.acquire(START + 1, List.of(new KeyedRule("c", rule(Algorithm.FIXED_WINDOW, 5, "10s"))));
        assertThat(fw.writes().get(0).ttlMillis()).isEqualTo(7_000); // 7 s - 1 µs, rounded up
        Outcome tb = m.acquire(START, List.of(new KeyedRule("c", rule(Algorithm.TOKEN_BUCKET, 3, "10ms"))));
        assertThat(tb.writes().get(0).ttlMillis()).isEqualTo(4); // 10/3 ms = 3,334 µs (ceil) -> 4 ms
        assertThat(tb.writes().get(0).expiryMicros()).isEqualTo(START + 4_000);
        // a commit decided at te > t (after a step back): the TTL counts from t
        m.acquire(START + 2 * S, List.of(new KeyedRule("d", rule(Algorithm.SLIDING_WINDOW_LOG, 5, "1s"))));
        Outcome back = m.acquire(START + S, List.of(new KeyedRule("d", rule(Algorithm.SLIDING_WINDOW_LOG, 5, "1s"))));
        assertThat(back.rules().get(0).teMicros()).isEqualTo(START + 2 * S);
        assertThat(back.writes().get(0).ttlMillis()).isEqualTo(2_000); // fresh = te + W = START + 3 s
        // the reset, too, counts from t: W from te, plus te - t = 1 s
        assertThat(back.rules().get(0)).isEqualTo(new RuleResult(true, 3, 2 * S, 0, START + 2 * S, 2 * S));
    }

    /**
     * Time never moves back per state: a step back across a window boundary still counts the later window; reset and
     * retry-after count from the call's own reading (2 µs before the effective time), so retrying exactly that much
     * later passes.
     */
    @Test
    void aStepBackIsDecidedAtTheLastCommitAndReportsDurationsFromItsOwnReading() {
        ReferenceModel m = new ReferenceModel();
        RateLimitRule fw = rule(Algorithm.FIXED_WINDOW, 2, "10s");
        long boundary = T0 + 10 * S;
        assertThat(one(m, boundary + 1, "c", fw).allowed()).isTrue();
        assertThat(one(m, boundary + 1, "c", fw).allowed()).isTrue();
        RuleResult back = one(m, boundary - 1, "c", fw);
        // from te = B + 1: reset and retry W - 1; from t = B - 1: W + 1
        assertThat(back).isEqualTo(new RuleResult(false, 0, 10 * S + 1, 10 * S + 1, boundary + 1));
        assertThat(one(m, boundary - 1 + back.retryMicros() - 1, "c", fw).allowed()).isFalse();
        assertThat(one(m, boundary - 1 + back.retryMicros(), "c", fw))
                .isEqualTo(new RuleResult(true, 1, 10 * S, 0, boundary + 10 * S, 10 * S));
    }

    /**
     * Forgetting is lazy: an expired state is forgotten, its last-commit time included, when a call at or after its
     * expiry touches it, even one that is denied; after that a step back finds it fresh.
     */
    @Test
    void anExpiredStateTouchedAtOrAfterItsExpiryIsForgottenWithItsTime() {
        ReferenceModel m = new ReferenceModel();
        RateLimitRule fw = rule(Algorithm.FIXED_WINDOW, 1, "1ms");
        long t = T0 + 5_000;
        RateLimitRule blocker = rule(Algorithm.FIXED_WINDOW, 1, "1h").toBuilder().name("blocker").build();
        assertThat(one(m, t, "c", fw).allowed()).isTrue(); // expiry t + 1 ms
        assertThat(one(m, t, "c", blocker).allowed()).isTrue(); // the blocker is used up for an hour
        // a call denied by the blocker touches fw at its expiry: forgotten
        assertThat(m.acquire(t + 1_000, List.of(new KeyedRule("c", fw), new KeyedRule("c", blocker))).allowed())
                .isFalse();
        RuleResult again = one(m, t + 500, "c", fw); // a step back: fresh, decided at t + 500
        assertThat(again).isEqualTo(new RuleResult(true, 0, 500, 0, t + 500, 500));
    }

    /**
     * A call that does not touch an expired state leaves it held: after a step back to before its expiry, it still
     * counts (decided at the reading, which is after its last commit), though another call's reading passed it.
     */
    @Test
    void anExpiredStateNotTouchedIsStillHeldAfterAStepBack() {
        ReferenceModel m = new ReferenceModel();
        RateLimitRule fw = rule(Algorithm.FIXED_WINDOW, 1, "1ms");
        long t = T0 + 5_000;
        assertThat(one(m, t, "c", fw).allowed()).isTrue(); // expiry t + 1 ms
        assertThat(one(m, t + 2_000, "other", fw).allowed()).isTrue(); // the clock passes the expiry elsewhere
        RuleResult back = one(m, t + 500, "c", fw); // a step back: still held, window [t, t + 1 ms) full
        assertThat(back).isEqualTo(new RuleResult(false, 0, 500, 500, t + 500));
        assertThat(m.nextExpiryAfter(t + 500)).isEqualTo(t + 1_000);
    }

    /** Counters of one name and algorithm with different limits or windows are distinct. */
    @Test
    void sameNameDifferentLimitIsAnotherCounter() {
        ReferenceModel m = new ReferenceModel();
        RateLimitRule perHour = RateLimitRule.custom().name("login").limit(2).window("1h").build();
        RateLimitRule perSecond = RateLimitRule.custom().name("login").limit(100).window("1s").build();
        Outcome both = m.acquire(START, List.of(new KeyedRule("c", perHour), new KeyedRule("c", perSecond)));
        assertThat(both.rules()).extracting(RuleResult::remaining).containsExactly(1L, 99L);
    }

    /** Exact at the extremes: 2,147,483,647 per 366 days, two permits at once. */
    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"TOKEN_BUCKET", "GCRA"})
    void exactAtTheLargestLimitAndWindow(Algorithm a) {
        ReferenceModel m = new ReferenceModel();
        RateLimitRule rule = rule(a, Integer.MAX_VALUE, "366d");
        one(m, START, "c", rule);
        RuleResult second = one(m, START, "c", rule);
        // reset = ceil(2 W / L) = ceil(63,244,800,000,000 / 2,147,483,647) = 29,451
        // next = ceil(W / L) = 14,726: one more token
        assertThat(second).isEqualTo(new RuleResult(true, Integer.MAX_VALUE - 2L, 29_451, 0, START, 14_726));
    }

    /**
     * A refund gives back what the request took, up to the limit: 3 taken, 2 given back leave 4; giving back more
     * than is held makes the state a fresh one, which is deleted. A peek takes nothing.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aRefundGivesBackWhatWasTakenAndAFreshStateIsDeleted(Algorithm a) {
        ReferenceModel m = new ReferenceModel();
        RateLimitRule rule = rule(a, 5, "10s");
        KeyedRule keyed = new KeyedRule("c", rule);
        m.acquire(START, List.of(new KeyedRule("c", rule.withCost(3))));
        ReferenceModel.Refund two = m.refund(START + 1, keyed, 2);
        assertThat(two.held()).isTrue();
        assertThat(two.deleted()).isFalse();
        assertThat(two.expiryMicros()).isEqualTo(m.expiryOf(keyed)); // the TTL is kept
        assertThat(m.peek(START + 1, List.of(keyed)).rules().get(0).remaining()).isEqualTo(4);
        assertThat(m.peek(START + 1, List.of(keyed)).rules().get(0).remaining()).isEqualTo(4);
        ReferenceModel.Refund all = m.refund(START + 2, keyed, 5);
        assertThat(all.deleted()).isTrue();
        assertThat(m.expiryOf(keyed)).isEqualTo(Long.MAX_VALUE);
        assertThat(m.refund(START + 3, keyed, 1).held()).isFalse();
    }

    /**
     * A fixed window that has ended counts nothing: nothing is given back, the state stays as it is (not deleted,
     * though it equals a fresh one from the refund's effective time on).
     */
    @Test
    void aRefundAfterTheWindowEndedGivesNothingBack() {
        ReferenceModel m = new ReferenceModel();
        KeyedRule keyed = new KeyedRule("c", rule(Algorithm.FIXED_WINDOW, 5, "10s"));
        m.acquire(START + 1, List.of(keyed)); // held until START + 7 s + 1 µs (its TTL in whole milliseconds)
        ReferenceModel.Refund late = m.refund(START + 7 * S, keyed, 1); // the window ended at START + 7 s
        assertThat(late.held()).isTrue();
        assertThat(late.deleted()).isFalse();
    }

    /**
     * The one place GCRA and the token bucket differ (docs/operating.md's table): a refund that fills the bucket only
     * with the refill since the last commit deletes a GCRA state (its TAT is no longer ahead of the effective time),
     * but keeps a token bucket's (the bucket as stored is not full). Seen only when the clock then steps back behind
     * the refund: the kept bucket is read as stored.
     */
    @Test
    void aRefundThatFillsTheBucketByItsRefillDeletesOnlyAGcraState() {
        for (Algorithm a : new Algorithm[] {Algorithm.TOKEN_BUCKET, Algorithm.GCRA}) {
            ReferenceModel m = new ReferenceModel();
            RateLimitRule rule = rule(a, 5, "1s");
            KeyedRule keyed = new KeyedRule("c", rule);
            m.acquire(START, List.of(new KeyedRule("c", rule.withCost(4)))); // 1 token left, 5 per second back
            ReferenceModel.Refund r = m.refund(START + 729_488, keyed, 1); // 1 + 3.647 + 1 >= 5 at te
            assertThat(r.deleted()).as("%s", a).isEqualTo(a == Algorithm.GCRA);
            long left = m.peek(START + 573_363, List.of(keyed)).rules().get(0).remaining(); // 156 ms back
            assertThat(left).as("%s", a).isEqualTo(a == Algorithm.GCRA ? 5 : 4); // kept: 2 + 2.87 tokens
        }
    }
}
