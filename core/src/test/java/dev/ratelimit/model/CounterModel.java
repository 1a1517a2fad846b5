package dev.ratelimit.model;

/**
 * One counter's state in the {@link ReferenceModel}: the algorithm's definition from the issue 16 specification,
 * nothing more. Times are microseconds; every query is at an effective time {@code te} that is never before the
 * state's last commit. The model checks {@code cost <= limit} itself; these methods only see such costs.
 */
abstract class CounterModel {

    /** {@code L}: permits per window. */
    final long limit;
    /** {@code W}: the window in microseconds. */
    final long window;

    CounterModel(long limit, long window) {
        this.limit = limit;
        this.window = window;
    }

    /** Whether a request of {@code cost} (at most the limit) passes at {@code te}. */
    abstract boolean admits(long te, long cost);

    /** Permits available at {@code te} (whole, floor, never negative). */
    abstract long remaining(long te);

    /** Microseconds from {@code te} until the full limit is available again; 0 when it already is. */
    abstract long reset(long te);

    /** Takes {@code cost} permits at {@code te}. */
    abstract void commit(long te, long cost);

    /**
     * Right after a commit at {@code te}: the absolute time from which this state equals a fresh one (the spec's
     * {@code fresh}), which fixes the state's TTL.
     */
    abstract long freshAfterCommitAt(long te);

    /**
     * This state as a rule of another limit or window counting on the same counter sees it at {@code te} (a time at
     * or after the last commit): what this rule counts as used at {@code te} stays used under the new one, as each
     * algorithm's model defines (docs/plans.md, "Changing limits at run time"). This state is left as it is.
     */
    abstract CounterModel changedTo(long te, long newLimit, long newWindow);

    /**
     * {@code RateLimiter#refund} of {@code permits} at the effective time {@code te} (at or after the last commit), on
     * a state that is neither fresh nor blocked, in this state's own limit and window: gives back what
     * docs/operating.md's table says for the algorithm, never above the limit. The state keeps its time (see
     * {@link #lastCommitAfterRefund}).
     *
     * @param te         the effective time, {@code max(t, lastCommit)}
     * @param lastCommit the time of the state's last commit
     * @param permits    at least 1
     * @return whether the state is deleted afterwards: the algorithm's rule for "equals a fresh one"
     */
    abstract boolean refund(long te, long lastCommit, long permits);

    /**
     * The state's last commit time after a {@link #refund} that kept it: the same as before, except for the log,
     * whose newest entry left is its last commit.
     */
    long lastCommitAfterRefund(long lastCommit) {
        return lastCommit;
    }

    /** The window start of {@code te}: {@code te - te mod W} (times are positive). */
    final long windowStart(long te) {
        return te - Math.floorMod(te, window);
    }

    /** A model of {@code algorithm}'s state, fresh. GCRA is defined as the token bucket of the same
     * rule (they differ only in when a refund deletes the state). */
    static CounterModel fresh(dev.ratelimit.core.Algorithm algorithm, long limit, long window) {
        switch (algorithm) {
            case FIXED_WINDOW:
                return new FixedWindowModel(limit, window);
            case SLIDING_WINDOW_LOG:
                return new SlidingWindowLogModel(limit, window);
            case SLIDING_WINDOW_COUNTER:
                return new SlidingWindowCounterModel(limit, window);
            case TOKEN_BUCKET:
                return new TokenBucketModel(limit, window, false);
            case GCRA:
                return new TokenBucketModel(limit, window, true);
            default:
                throw new IllegalArgumentException("unknown algorithm " + algorithm);
        }
    }
}
