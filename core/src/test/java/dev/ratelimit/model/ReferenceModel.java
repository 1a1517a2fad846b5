package dev.ratelimit.model;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exact reference model of the rate-limiting semantics specified in issue 16 (see also
 * {@code docs/algorithms.md}), for tests: what every store must answer, written to be read, not to be fast.
 *
 * <ul>
 *   <li>A counter is identified by (client key, rule name, algorithm, limit, window): {@link Counter}.
 *   <li>Each counter remembers the time of its last commit {@code tl}; a decision is made at the effective time
 *       {@code te = max(t, tl)}, where {@code t} is the call's own clock reading. A denied request writes nothing.
 *   <li>Durations are reported from the call's own reading {@code t}: a rule's reset and retry-after are the values
 *       measured from {@code te} plus {@code te - t} (which is 0 unless the clock stepped back behind the state's
 *       last commit); its remaining is as of {@code te}. So a client that waits exactly the retry-after from its
 *       own reading is never turned away again (unless something else consumed).
 *   <li>After a commit, the counter expires at {@code expiry = t_write + max(1 ms, ceilToMillis(fresh - t_write))},
 *       where {@code t_write} is the raw reading of the committing call and {@code fresh} the algorithm's time from
 *       which the state equals a fresh one. Forgetting is lazy: an expired counter is forgotten (fresh again,
 *       {@code tl} included) when a call whose own reading {@code t} is at or after its expiry touches it, and only
 *       then; a counter no such call touched is still held, also by a later call whose clock stepped back to before
 *       its expiry. Once forgotten it stays forgotten, whether that call then commits or is denied.
 *   <li>All rules of a call are checked; the permits are taken from all of them only when all admit.
 *   <li>A rule whose limit or window differs from those the state was last committed under (a changed rule counts
 *       on the declared rule's counter) first reads the state as the old rule sees it at {@code te}, then carries
 *       it over ({@link CounterModel#changedTo}): what the old rule counts as used stays used. The carried state is
 *       what the call commits; a denied call writes nothing, so the next call carries the stored state over again.
 *   <li>Reported per rule: allowed, remaining, reset as defined by the algorithm ({@link CounterModel}), and the
 *       retry-after by its definition: 0 when the rule admits, {@code W} when {@code c > L}, else the smallest
 *       {@code d >= 1} at which the same request would pass at {@code te + d} with nothing else consuming, found by
 *       a binary search (passing is monotone in {@code d}), not by a closed form; reset and retry-after (when not 0)
 *       then plus {@code te - t}.
 *   <li>And "next": for a denied rule its retry-after; for an admitting rule (after the commit when the call passed,
 *       as checked when it did not) 0 when {@code remaining} is the whole limit, else the retry-after, by the same
 *       search, of a request of cost {@code remaining + 1} (the time until more than {@code remaining} permits are
 *       available: the {@code t} of the {@code RateLimit} header field), plus {@code te - t}.
 *   <li>The operator's operations of issue 21 (docs/operating.md): {@link #peek} (the check, nothing taken),
 *       {@link #reset}, {@link #block} and {@link #refund} (what each algorithm gives back, per its table row).
 * </ul>
 * Times are microseconds in {@code long} (readings near 1.8e15 plus at most two 366-day windows: far from overflow);
 * products that can exceed 2^63 (limit times window) are BigIntegers in the algorithm models.
 */
public final class ReferenceModel {

    /**
     * The identity of one counter's state: the rule's counter limit and window, which are those of the declared rule a
     * changed rule counts on ({@code RateLimitRule.Builder#sameCounterAs}).
     */
    public record Counter(String key, String name, Algorithm algorithm, long limit, long windowMicros) {

        /** The counter {@code rule} counts against for {@code key}. */
        public static Counter of(String key, RateLimitRule rule) {
            return new Counter(key, rule.name(), rule.algorithm(), rule.counterLimit(), rule.counterWindowMicros());
        }
    }

    /**
     * One rule's expected answer.
     *
     * @param allowed     whether this rule alone admits the request
     * @param remaining   permits available at {@code te} (after this request's permits when the call passed)
     * @param resetMicros µs from the call's reading {@code t} until the full limit is back (from {@code te}, plus
     *                    {@code te - t})
     * @param retryMicros 0 when this rule admits, else µs from the call's reading {@code t} until the same request
     *                    would pass (from {@code te}, plus {@code te - t})
     * @param teMicros    the effective time the rule was decided at
     * @param nextMicros  when denied, {@code retryMicros}; else 0 when {@code remaining} is the limit, else µs from
     *                    {@code t} until a request of cost {@code remaining + 1} would pass (from {@code te}, plus
     *                    {@code te - t})
     */
    public record RuleResult(boolean allowed, long remaining, long resetMicros, long retryMicros, long teMicros,
            long nextMicros) {

        /** A result whose next is its retry-after (a denial, or a test that does not look at it). */
        public RuleResult(boolean allowed, long remaining, long resetMicros, long retryMicros, long teMicros) {
            this(allowed, remaining, resetMicros, retryMicros, teMicros, retryMicros);
        }
    }

    /**
     * A state the call wrote: Redis gets {@code SET ... PX ttlMillis} at the raw reading {@code writeMicros} (a
     * commit, or a state carried over to a changed rule); {@code ttlMillis} 0: the state was deleted (a carried state
     * that equals a fresh one).
     *
     * @param rule        the rule and key written
     * @param writeMicros the raw clock reading of the call
     * @param ttlMillis   {@code max(1, ceil((fresh - t) / 1000))}, or 0 for a deletion
     */
    public record Write(KeyedRule rule, long writeMicros, long ttlMillis) {

        /** When the state expires ({@code t_write + ttl}): the next call at or after it that touches it forgets it. */
        public long expiryMicros() {
            return Math.addExact(writeMicros, Math.multiplyExact(ttlMillis, 1_000L));
        }
    }

    /**
     * The expected answer to one call.
     *
     * @param rules  one result per rule, in the call's order
     * @param writes the states written (all rules' when allowed; when denied, only states carried over to a changed
     *               rule)
     */
    public record Outcome(List<RuleResult> rules, List<Write> writes) {

        /** Whether every rule admits. */
        public boolean allowed() {
            return rules.stream().allMatch(RuleResult::allowed);
        }

        /** The decision's retry-after: the largest of the rules' (at least 1 µs when denied), 0 when allowed. */
        public long retryMicros() {
            if (allowed()) {
                return 0;
            }
            long max = 1;
            for (RuleResult r : rules) {
                max = Math.max(max, r.retryMicros());
            }
            return max;
        }
    }

    /** A counter's state and the bookkeeping the spec adds around it. */
    private static final class Entry {
        CounterModel state;
        /** {@code tl}: the effective time of the last commit. */
        long lastCommit;
        /** When the state expires: a call touching it at a reading at or after this forgets it. */
        long expiry;
        /** The end of a block while the entry is one (issue 21), else {@code Long.MIN_VALUE}. */
        long blockedUntil = Long.MIN_VALUE;

        Entry(CounterModel state) {
            this.state = state;
        }
    }

    private final Map<Counter, Entry> entries = new HashMap<>();

    /**
     * Decides a call at raw clock reading {@code t} and updates the model.
     *
     * @param t     the call's clock reading (µs)
     * @param rules the rules with their keys, as passed to the store; no counter twice
     * @return the expected answer
     * @throws IllegalArgumentException when the rules are empty or repeat a counter
     */
    public Outcome acquire(long t, List<KeyedRule> rules) {
        return decide(t, rules, true);
    }

    /**
     * {@code RateLimiter#peek} at raw clock reading {@code t}: the same check as {@link #acquire}, nothing taken. Every
     * rule answers as it does in a call that some rule denies (an admitting rule's remaining before the request, its
     * reset and next of the state as it stands); the only writes are those of the check itself (a state carried over
     * to a changed rule), and the touched states past their expiry are forgotten, as a request's check does.
     *
     * @param t     the call's clock reading (µs)
     * @param rules the rules with their keys; no counter twice
     * @return the expected answer
     * @throws IllegalArgumentException when the rules are empty or repeat a counter
     */
    public Outcome peek(long t, List<KeyedRule> rules) {
        return decide(t, rules, false);
    }

    /** A request's check, then, with {@code commit} and when every rule admits, its commit. */
    private Outcome decide(long t, List<KeyedRule> rules, boolean commit) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("no rules");
        }
        Set<Counter> seen = new HashSet<>();
        for (KeyedRule r : rules) {
            if (!seen.add(Counter.of(r.key(), r.rule()))) {
                throw new IllegalArgumentException("counter repeated in one call: " + r);
            }
        }
        // lazy forgetting: only the counters this call touches, against its own reading
        for (KeyedRule r : rules) {
            entries.computeIfPresent(Counter.of(r.key(), r.rule()), (c, e) -> e.expiry <= t ? null : e);
        }

        // 1. check every rule, each at its own effective time
        int n = rules.size();
        List<Write> writes = new ArrayList<>();
        List<Entry> states = new ArrayList<>(n);
        long[] te = new long[n];
        long[] blockedUntil = new long[n];
        java.util.Arrays.fill(blockedUntil, Long.MIN_VALUE);
        boolean[] admits = new boolean[n];
        boolean all = true;
        for (int i = 0; i < n; i++) {
            RateLimitRule rule = rules.get(i).rule();
            Entry e = entries.get(Counter.of(rules.get(i).key(), rule));
            if (e != null && e.blockedUntil != Long.MIN_VALUE) {
                if (e.blockedUntil > t) { // blocked: denied until the end, counted from t; the block stays
                    blockedUntil[i] = e.blockedUntil;
                    te[i] = t;
                    states.add(e);
                    all = false;
                    continue;
                }
                e = null; // a block that has ended: a fresh state (held until a commit replaces it)
            }
            boolean isFresh = e == null;
            if (isFresh) {
                e = new Entry(CounterModel.fresh(rule.algorithm(), rule.limit(), rule.windowMicros()));
            }
            te[i] = isFresh ? t : Math.max(t, e.lastCommit);
            if (e.state.limit != rule.limit() || e.state.window != rule.windowMicros()) {
                e = carry(rules.get(i), e, t, te[i], writes);
            }
            if (!isFresh && rule.algorithm() == Algorithm.SLIDING_WINDOW_LOG
                    && rule.windowMicros() > rule.counterWindowMicros()) {
                // a log lives for the longer of its commit's window and the counter's own; a changed rule with a
                // longer window keeps it until its newest entry leaves that window (written, passed or not)
                Write w = new Write(rules.get(i), t, ttlMillis(e.lastCommit + rule.windowMicros(), t));
                e.expiry = w.expiryMicros();
                writes.add(w);
            }
            states.add(e);
            admits[i] = e.state.admits(te[i], rule.cost()); // a rule's cost is at most its limit
            all &= admits[i];
        }

        // 2. commit all, or nothing
        List<RuleResult> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KeyedRule keyed = rules.get(i);
            RateLimitRule rule = keyed.rule();
            Entry e = states.get(i);
            if (blockedUntil[i] != Long.MIN_VALUE) {
                long wait = blockedUntil[i] - t;
                results.add(new RuleResult(false, 0, wait, wait, t, wait));
                continue;
            }
            CounterModel s = e.state;
            long behind = te[i] - t; // durations count from the call's own reading t
            if (all && commit) {
                s.commit(te[i], rule.cost());
                e.lastCommit = te[i];
                long fresh = s.freshAfterCommitAt(te[i]);
                if (rule.algorithm() == Algorithm.SLIDING_WINDOW_LOG) { // kept at least for the counter's own window
                    fresh = Math.max(fresh, te[i] + rule.counterWindowMicros());
                }
                long ttlMillis = Math.max(1, ceilDiv(fresh - t, 1_000L));
                Write w = new Write(keyed, t, ttlMillis);
                e.expiry = w.expiryMicros();
                Counter counter = Counter.of(keyed.key(), rule);
                writes.removeIf(carried -> Counter.of(carried.rule().key(), carried.rule().rule()).equals(counter));
                entries.put(Counter.of(keyed.key(), rule), e);
                writes.add(w);
                long left = s.remaining(te[i]);
                results.add(new RuleResult(true, left, s.reset(te[i]) + behind, 0, te[i],
                        more(s, te[i], left, behind)));
            } else {
                long left = s.remaining(te[i]);
                long retry = admits[i] ? 0 : retryAfter(s, te[i], rule.cost()) + behind;
                results.add(new RuleResult(admits[i], left, s.reset(te[i]) + behind, retry, te[i],
                        admits[i] ? more(s, te[i], left, behind) : retry));
            }
        }
        return new Outcome(List.copyOf(results), List.copyOf(writes));
    }

    /**
     * A state last committed under another limit or window, carried over to {@code keyed}'s rule at {@code te}
     * ({@link CounterModel#changedTo}) and written now, whether or not the call passes (stamped at {@code te}, with
     * the TTL of its own fresh time), so the next call and the retry-after read it under the new rule; a carried
     * state that equals a fresh one is deleted (a write of TTL 0).
     */
    private Entry carry(KeyedRule keyed, Entry old, long t, long te, List<Write> writes) {
        RateLimitRule rule = keyed.rule();
        Counter counter = Counter.of(keyed.key(), rule);
        CounterModel carried = old.state.changedTo(te, rule.limit(), rule.windowMicros());
        boolean rewritten = rule.algorithm() == Algorithm.TOKEN_BUCKET || rule.algorithm() == Algorithm.GCRA
                || rule.algorithm() != Algorithm.SLIDING_WINDOW_LOG && rule.windowMicros() != old.state.window;
        if (!rewritten) {
            // the log's entries, and the windows' counts under the same window, mean the same under the new rule:
            // nothing is written, the state keeps its time and expiry
            Entry e = new Entry(carried);
            e.lastCommit = old.lastCommit;
            e.expiry = old.expiry;
            entries.put(counter, e);
            return e;
        }
        if (carried.reset(te) == 0) { // equals a fresh one
            entries.remove(counter);
            writes.add(new Write(keyed, t, 0));
            return new Entry(CounterModel.fresh(rule.algorithm(), rule.limit(), rule.windowMicros()));
        }
        Entry e = new Entry(carried);
        e.lastCommit = te;
        Write w = new Write(keyed, t, Math.max(1, ceilDiv(carried.freshAfterCommitAt(te) - t, 1_000L)));
        e.expiry = w.expiryMicros();
        entries.put(counter, e);
        writes.add(w);
        return e;
    }

    /**
     * {@code RateLimiter#reset}: forgets the counter's state, a block included.
     *
     * @param rule the rule with its key
     */
    public void reset(KeyedRule rule) {
        entries.remove(Counter.of(rule.key(), rule.rule()));
    }

    /**
     * {@code RateLimiter#block} at raw reading {@code t}: the state is replaced by a block until {@code t + duration};
     * every request is denied until then (reset and retry-after {@code until - t} from the call's reading), and from
     * then on the counter is fresh. The block expires, as a state does, at {@code t} plus the duration rounded up to
     * whole milliseconds.
     *
     * @param t        the call's clock reading (µs)
     * @param rule     the rule with its key
     * @param duration the block's length (µs), at least 1 ms
     * @return the write: the block's TTL
     */
    public Write block(long t, KeyedRule rule, long duration) {
        RateLimitRule r = rule.rule();
        Entry e = new Entry(CounterModel.fresh(r.algorithm(), r.limit(), r.windowMicros()));
        e.blockedUntil = t + duration;
        Write w = new Write(rule, t, ttlMillis(t + duration, t));
        e.expiry = w.expiryMicros();
        entries.put(Counter.of(rule.key(), r), e);
        return w;
    }

    /**
     * What a refund did to a counter's state.
     *
     * @param rule         the rule and key refunded
     * @param held         whether there was a state to give permits back to (held, not past its expiry, not blocked,
     *                     and not a block that has ended, which is a fresh state)
     * @param deleted      whether the state was deleted, as it equals a fresh one afterwards (by the algorithm's rule)
     * @param expiryMicros when the state held afterwards expires (a refund keeps the state's TTL), or
     *                     {@code Long.MAX_VALUE} when the model holds none
     */
    public record Refund(KeyedRule rule, boolean held, boolean deleted, long expiryMicros) {
    }

    /**
     * {@code RateLimiter#refund} of {@code permits} at raw clock reading {@code t} (docs/operating.md, "Refund"):
     * nothing on a state that is absent (forgotten first when past its expiry, as every call touching it does) or
     * blocked (a block that has ended is a fresh state: nothing either). Otherwise the algorithm gives back what its
     * table row says ({@link CounterModel#refund}), under the limit and window the state was written under, at the
     * effective time {@code te = max(t, last commit)}. The state keeps its time (the log: its newest entry left) and its
     * expiry; a state that equals a fresh one afterwards, by the algorithm's rule, is deleted.
     *
     * @param t       the call's clock reading (µs)
     * @param rule    the rule with its key
     * @param permits how many to give back, at least 1
     * @return what happened to the state
     */
    public Refund refund(long t, KeyedRule rule, long permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits " + permits);
        }
        long p = Math.min(permits, RateLimitRule.MAX_LIMIT); // more than the largest limit gives back that much
        Counter counter = Counter.of(rule.key(), rule.rule());
        entries.computeIfPresent(counter, (c, e) -> e.expiry <= t ? null : e);
        Entry e = entries.get(counter);
        if (e == null) {
            return new Refund(rule, false, false, Long.MAX_VALUE);
        }
        if (e.blockedUntil != Long.MIN_VALUE) {
            return new Refund(rule, false, false, e.expiry);
        }
        long te = Math.max(t, e.lastCommit);
        if (e.state.refund(te, e.lastCommit, p)) {
            entries.remove(counter);
            return new Refund(rule, true, true, Long.MAX_VALUE);
        }
        e.lastCommit = e.state.lastCommitAfterRefund(e.lastCommit);
        return new Refund(rule, true, false, e.expiry);
    }

    /** An admitting rule's next: 0 when {@code left} is the limit, else when a request of cost left + 1 would pass. */
    private static long more(CounterModel s, long te, long left, long behind) {
        return left >= s.limit ? 0 : retryAfter(s, te, left + 1) + behind;
    }

    /**
     * The retry-after, measured from {@code te}, of a rule that does not admit (the caller adds {@code te - t}):
     * the smallest {@code d >= 1} such that the request passes at
     * {@code te + d}. By {@code 2W} every algorithm's state equals a fresh one, and passing is monotone in {@code d},
     * so a binary search over {@code [1, 2W]} finds it. (The state may be forgotten before {@code te + d}, but only at
     * or after the time it equals a fresh one, so asking the state itself gives the same answer.)
     */
    private static long retryAfter(CounterModel s, long te, long cost) {
        long lo = 1;
        long hi = 2 * s.window;
        if (!s.admits(te + hi, cost)) {
            throw new IllegalStateException("model bug: a cost within the limit does not pass two windows later");
        }
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (s.admits(te + mid, cost)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * The earliest expiry of a state still held, strictly after {@code t}, or -1 when none (for tests that step
     * exactly onto an expiry). With lazy forgetting, a state held may have an expiry at or before {@code t}; those are
     * not candidates.
     */
    public long nextExpiryAfter(long t) {
        long next = -1;
        for (Entry e : entries.values()) {
            if (e.expiry > t && (next < 0 || e.expiry < next)) {
                next = e.expiry;
            }
        }
        return next;
    }

    /**
     * When the state of {@code rule}'s counter expires, or {@code Long.MAX_VALUE} when the model holds none.
     *
     * @param rule the rule with its key
     * @return the expiry in µs
     */
    public long expiryOf(KeyedRule rule) {
        Entry e = entries.get(Counter.of(rule.key(), rule.rule()));
        return e == null ? Long.MAX_VALUE : e.expiry;
    }

    /** The TTL of a state written at {@code t} that equals a fresh one at {@code fresh}. */
    private static long ttlMillis(long fresh, long t) {
        return Math.max(1, ceilDiv(fresh - t, 1_000L));
    }

    private static long ceilDiv(long a, long b) {
        return Math.floorDiv(a + b - 1, b);
    }
}
