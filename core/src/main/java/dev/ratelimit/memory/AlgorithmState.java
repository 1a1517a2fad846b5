package dev.ratelimit.memory;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The state of one rule for one key, mutated only while its {@link #lock()} is held. Each subclass is the in-memory twin of the
 * Lua script of the same name (in {@code dev/ratelimit/redis}) and performs the same arithmetic, so both stores
 * give identical answers: {@link #evaluate} reads the state as of time {@code t} without changing what it means,
 * {@link #commit} then takes the permits if every rule of the request passed.
 */
abstract class AlgorithmState {

    private static final AtomicLong CREATED = new AtomicLong();

    /** A total order over all states: a request with several rules locks their states in this order. */
    final long order = CREATED.getAndIncrement();

    /** Set by {@link #commit}: when the state equals a fresh one again, in the limiter's microseconds. */
    long freshAtMicros;

    /**
     * When this state is forgotten, like a Redis key at the end of its TTL: the clock reading of the commit plus the
     * time until {@link #freshAtMicros}, rounded up to whole milliseconds as Redis's {@code PX}; {@code Long.MAX_VALUE}
     * while fresh. From then on the state is fresh again, its last commit time included.
     */
    long expiresAtMicros = Long.MAX_VALUE;

    /** The effective time of the last commit; {@code Long.MIN_VALUE} while fresh. */
    long lastCommitMicros = Long.MIN_VALUE;

    /**
     * The end of a block ({@code RateLimiter#block}, or a denial under a rule that blocks after one) while this state
     * is one, else {@code Long.MIN_VALUE}. A block replaces the algorithm's state (which is fresh meanwhile, its last
     * commit time included, so a block never moves the effective time): until then every request is denied; from then
     * on the state is a fresh one, until a commit replaces the block or the state is forgotten, as in the scripts.
     */
    long blockedUntil = Long.MIN_VALUE;

    /**
     * The limit and window of the last commit. A rule whose limit or window has changed since (an operator's override
     * counts on the declared rule's counter) reads the state through them first: see each algorithm's
     * {@link #evaluate}, and docs/plans.md, "Changing limits at run time".
     */
    long stateLimit;

    /** The window of the last commit, in microseconds; see {@link #stateLimit}. */
    long stateWindow;

    /** The clock reading of the call deciding now (set by {@link #at}): a carried state's expiry counts from it. */
    private long reading;

    /** Until when the cache keeps this state (at least {@link #expiresAtMicros}); see {@link #extendLease}. */
    long leaseMicros;

    /** The verdict of the last {@link #evaluate}: whether the request passes this rule. */
    boolean ok;

    /** Permits left: as evaluated, then as committed. */
    long remaining;

    /** Microseconds until the full limit is back: as evaluated, then as committed. */
    long resetMicros;

    /** Microseconds until a request of the same cost could pass (0 when it passes now). */
    long retryMicros;

    /**
     * When the request passes: microseconds until a request of cost {@code remaining + 1} could pass (0 when
     * {@code remaining} is the limit), set by {@link #commit} or {@link #more}; when it is denied: the retry-after.
     */
    long nextMicros;

    private static final VarHandle LOCKED;
    private static final int MAX_BACKOFF = 8;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(AlgorithmState.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 1 while a thread decides on this state; see {@link #lock()}. */
    private volatile int locked;

    /**
     * Takes this state's lock. A decision holds it for a few dozen nanoseconds of arithmetic, so a waiting thread first
     * spins with exponential backoff (15 pauses in all, a few hundred nanoseconds: enough when the holder is in the
     * middle of one decision). If the lock is still taken after that, the holder is deciding again and again (one hot
     * key) or was descheduled, and the waiter parks for the shortest timed wait the OS gives before it tries again:
     * the holder then decides without the state's cache lines moving to the other core on every decision, and a
     * waiter costs no CPU when request threads outnumber cores. Resilience4j's rate limiter backs off the same way
     * after a failed compare-and-set.
     */
    final void lock() {
        if (!LOCKED.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        int backoff = 1;
        do {
            if (backoff <= MAX_BACKOFF) {
                // back off without touching the lock's cache line, so the holder keeps it for its decision
                for (int i = 0; i < backoff; i++) {
                    Thread.onSpinWait();
                }
                backoff <<= 1;
            } else {
                LockSupport.parkNanos(this, 1);
            }
        } while (locked != 0 || !LOCKED.compareAndSet(this, 0, 1));
    }

    /** Releases the lock taken by {@link #lock()}. */
    final void unlock() {
        LOCKED.setRelease(this, 0);
    }

    /**
     * Checks a request of {@code cost} permits at the effective time {@code t} (see {@link #at}); sets the verdict
     * fields and remembers what {@link #commit} needs. The state's meaning never changes, but a state last committed
     * under another limit or window is first carried over to this one ({@link #carried}). With {@code committing} (one rule: a pass is certainly
     * committed), the remaining count and reset of a pass may be left out, as the commit sets them (as in the
     * scripts).
     *
     * @return whether it passes
     */
    abstract boolean evaluate(long t, long limit, long window, long cost, boolean committing);

    /**
     * Takes the permits checked by the last {@link #evaluate} (at the same effective time), updating the verdict to
     * the values after it (with {@link #nextMicros} from the state after it) and setting {@link #freshAtMicros}; the
     * caller then calls {@link #committed}.
     */
    abstract void commit(long t, long limit, long window, long cost);

    /** The verdict fields as the rule's state in a decision: the last evaluation's, or the commit's after it. */
    final RuleOutcome limitState(RateLimitRule rule) {
        return new RuleOutcome(rule, ok, remaining, resetMicros, retryMicros, nextMicros);
    }

    /**
     * After an {@link #evaluate} that passed but was not committed (another rule denied the request): sets
     * {@link #nextMicros} to the retry-after of a request of cost {@code remaining + 1} checked at the same effective
     * time {@code te} (0 when {@code remaining} is the limit), as the script does; the verdict stays as it was.
     */
    final void more(long te, long limit, long window) {
        if (!ok) {
            return;
        }
        long left = remaining;
        long reset = resetMicros;
        long next = 0;
        if (left < limit) {
            evaluate(te, limit, window, left + 1, false);
            next = retryMicros;
        }
        verdict(true, left, reset, 0);
        nextMicros = next;
    }

    /** Records a verdict; a denial always has a wait, as in the script. */
    final boolean verdict(boolean passes, long left, long reset, long retry) {
        this.ok = passes;
        this.remaining = Math.max(0, left);
        this.resetMicros = Math.max(0, reset);
        this.retryMicros = passes ? 0 : Math.max(1, retry);
        this.nextMicros = this.retryMicros;
        return passes;
    }

    /**
     * The effective time to decide at: {@code t}, or the time of the last commit when {@code t} is earlier, so the
     * state never moves back in time (callers read the clock before they take the lock, and a clock may step back).
     * A state past {@link #expiresAtMicros} is first forgotten, as Redis forgets an expired key.
     *
     * @param t the clock reading of the call
     */
    final long at(long t) {
        reading = t;
        if (t >= expiresAtMicros) {
            forget();
        }
        return Math.max(t, lastCommitMicros);
    }

    /** Makes this state a fresh one, as a deleted Redis key is ({@code RateLimiter#reset}), a block included. */
    final void forget() {
        clear();
        lastCommitMicros = Long.MIN_VALUE;
        expiresAtMicros = Long.MAX_VALUE;
        blockedUntil = Long.MIN_VALUE;
    }

    /**
     * Whether a block is in force at the clock reading {@code t}; if so, records its denial: nothing left, reset and
     * retry-after until its end, counted from {@code t}.
     */
    final boolean blockedAt(long t) {
        if (blockedUntil == Long.MIN_VALUE || blockedUntil <= t) {
            return false;
        }
        verdict(false, 0, blockedUntil - t, blockedUntil - t);
        return true;
    }

    /**
     * Blocks from the clock reading {@code t} until {@code until}: the block replaces the state, which is forgotten
     * once it ends (its expiry, rounded up to whole milliseconds as the script's {@code PX}).
     */
    final void block(long t, long until) {
        forget();
        blockedUntil = until;
        expiresAtMicros = t + 1_000L * Math.max(1, Exact.ceilDiv(until - t, 1_000L));
    }

    /**
     * After {@link #evaluate} denied at the clock reading {@code t} under a rule that blocks for {@code penalty} µs
     * after a denial: blocks, and the verdict becomes the block's denial.
     */
    final void penalize(long t, long penalty) {
        block(t, t + penalty);
        verdict(false, 0, penalty, penalty);
    }

    /**
     * Gives back up to {@code permits} at the clock reading {@code t} ({@code RateLimiter#refund}): nothing on a fresh
     * or blocked state; else as the algorithm's {@link #refund(long, long)} says, the state's time and expiry kept, and
     * a state that then equals a fresh one is forgotten (as the script deletes the key).
     */
    final void refundAt(long t, long permits) {
        long te = at(t);
        if (isFresh()) {
            return;
        }
        if (refund(te, permits)) {
            forget();
        }
    }

    /**
     * The algorithm's refund at the effective time {@code te} of a state that is neither fresh nor blocked, in the
     * units of the limit and window it was last written under (as {@code RateLimiterOperations.lua}).
     *
     * @return whether the state now equals a fresh one
     */
    abstract boolean refund(long te, long permits);

    /**
     * The decision a request would get at the clock reading {@code t}, nothing taken ({@code RateLimiter#peek}):
     * the check, and when it passes, the next as the script's mode {@code peek} gives it.
     */
    final void peek(long t, long limit, long window, long cost) {
        long te = at(t);
        if (!blockedAt(t)) {
            evaluate(te, limit, window, cost, false);
            more(te, limit, window);
        } else {
            te = t;
        }
        countFrom(t, te);
    }

    /** Whether no commit counts in this state (never committed, or forgotten). */
    final boolean isFresh() {
        return lastCommitMicros == Long.MIN_VALUE;
    }

    /** Whether the state was last committed under another limit or window than {@code limit} per {@code window}. */
    final boolean changed(long limit, long window) {
        return !isFresh() && (limit != stateLimit || window != stateWindow);
    }

    /**
     * Makes this state expire as a state written now that equals a fresh one at {@code freshAt} (the script's
     * {@code PEXPIRE} of a log under a changed rule with a longer window).
     */
    final void expireAsFreshAt(long freshAt) {
        expiresAtMicros = reading + 1_000L * Math.max(1, Exact.ceilDiv(freshAt - reading, 1_000L));
    }

    /**
     * Records that {@link #evaluate} carried this state over to a changed rule at the effective time {@code te}: the
     * subclass has set its fields to the carried values, which from now on are the state under {@code limit} per
     * {@code window} (stamped at {@code te}, with the expiry of a state that equals a fresh one at {@code freshAt}), as
     * the script writes them whether or not the request passes, so the next call, and the retry-after, read the state
     * under the new rule. A carried state that equals a fresh one ({@code freshAt <= te}) is forgotten.
     */
    final void carried(long te, long limit, long window, long freshAt) {
        if (freshAt <= te) {
            forget();
            return;
        }
        lastCommitMicros = te;
        stateLimit = limit;
        stateWindow = window;
        freshAtMicros = freshAt;
        expiresAtMicros = reading + 1_000L * Math.max(1, Exact.ceilDiv(freshAt - reading, 1_000L));
    }

    /**
     * Records a commit made at the effective time {@code te} by a call whose clock read {@code t}, under
     * {@code limit} per {@code window}.
     */
    final void committed(long t, long te, long limit, long window) {
        blockedUntil = Long.MIN_VALUE; // a commit replaces a block that has ended
        lastCommitMicros = te;
        stateLimit = limit;
        stateWindow = window;
        expiresAtMicros = t + 1_000L * Math.max(1, Exact.ceilDiv(freshAtMicros - t, 1_000L));
    }

    /** Resets the algorithm's own fields to a fresh state's. */
    abstract void clear();

    /**
     * Extends the lease after a commit that made the state outlive it: to two windows from {@code t} (no algorithm's
     * state outlives two windows after a commit), and never short of {@link #expiresAtMicros}.
     *
     * @return whether the lease moved, so the cache must be told (by re-inserting the state)
     */
    final boolean extendLease(long t, long window, long cacheMicros) {
        // the cache runs on the latest reading any call published, which is ahead of t after a clock stepped back:
        // the lease is counted on the cache's clock, or the state would be dropped at once
        long ahead = Math.max(0, cacheMicros - t);
        if (expiresAtMicros == Long.MAX_VALUE || expiresAtMicros + ahead <= leaseMicros) {
            return false;
        }
        leaseMicros = Math.max(expiresAtMicros, t + 2 * window) + ahead;
        return true;
    }

    /**
     * Checks a request of {@code rule}'s cost at the clock reading {@code t} and takes the permits when it passes: the
     * one-rule decision; a denial (not by a block) under a rule that blocks for {@code penalty} µs after one (0: none)
     * blocks. The caller holds this state's lock and reads the verdict ({@link #limitState}) before
     * releasing it.
     */
    final void acquire(long t, long limit, long window, long cost, long penalty) {
        long te = at(t);
        if (blockedAt(t)) {
            te = t;
        } else if (evaluate(te, limit, window, cost, true)) {
            commit(te, limit, window, cost);
            committed(t, te, limit, window);
        } else if (penalty > 0) {
            penalize(t, penalty);
            te = t;
        }
        countFrom(t, te);
    }

    /**
     * Makes the verdict's durations count from the call's clock reading {@code t} rather than from the effective time
     * {@code te} (later when the clock stepped back behind this state's last commit), as the scripts do: a client told
     * to wait that long is not turned away again.
     */
    final void countFrom(long t, long te) {
        long behind = te - t;
        if (behind != 0) {
            resetMicros += behind;
            if (!ok) {
                retryMicros += behind;
                nextMicros = retryMicros;
            } else if (nextMicros > 0) {
                nextMicros += behind;
            }
        }
    }

    /** An approximate heap footprint in bytes, reported by the memory benchmarks. */
    abstract long footprintBytes();

    /** A fresh state of {@code rule}'s algorithm on {@code rule}'s counter. */
    static AlgorithmState create(RateLimitRule rule) {
        switch (rule.algorithm()) {
            case FIXED_WINDOW: return new FixedWindow();
            case SLIDING_WINDOW_LOG: return new SlidingWindowLog(rule.counterWindowMicros());
            case SLIDING_WINDOW_COUNTER: return new SlidingWindowCounter();
            case TOKEN_BUCKET: return new TokenBucket();
            case GCRA: return new Gcra();
            default: throw new IllegalArgumentException("unknown algorithm " + rule.algorithm());
        }
    }
}
