package dev.ratelimit.memory;

/**
 * SLIDING_WINDOW_COUNTER in memory; twin of {@code SlidingWindowCounter.lua}. The estimate
 * {@code floor(prev * (window - elapsed) / window) + cur} is computed exactly, as in the script. Under a changed
 * window the old rule's estimate is counted in the new rule's current window.
 */
final class SlidingWindowCounter extends AlgorithmState {

    private long windowStart = Long.MIN_VALUE;
    private long current;
    private long previous;

    private long pendingStart;
    private long pendingCurrent;
    private long pendingPrevious;
    private long pendingEstimate;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        long elapsed = Math.floorMod(t, window);
        long ws = t - elapsed;
        long we = ws + window;
        long cur = 0;
        long prev = 0;
        if (windowStart == ws) {
            cur = current;
            prev = previous;
        } else if (windowStart != Long.MIN_VALUE && windowStart == ws - window) {
            prev = current;
        }
        if (window != stateWindow && !isFresh()) {
            // a changed window: the old rule's estimate as of t is counted in the new rule's current window
            long w0 = stateWindow;
            long e0 = Math.floorMod(t, w0);
            long ws0 = t - e0;
            long cur0 = 0;
            long prev0 = 0;
            if (windowStart == ws0) {
                cur0 = current;
                prev0 = previous;
            } else if (windowStart == ws0 - w0) {
                prev0 = current;
            }
            cur = Exact.quotient(prev0, w0 - e0, w0) + cur0;
            prev = 0;
            windowStart = ws;
            current = cur;
            previous = 0;
            carried(t, limit, window, cur > 0 ? ws + 2 * window : t);
        }
        long est = Exact.quotient(prev, window - elapsed, window) + cur;
        pendingStart = ws;
        pendingCurrent = cur;
        pendingPrevious = prev;
        pendingEstimate = est;

        boolean ok = est + cost <= limit;
        long reset = cur > 0 ? we + window - t : prev > 0 ? we - t : 0;
        long retry;
        if (ok) {
            retry = 0;
        } else if (cur + cost <= limit) {
            // later in this window: e = window - ceil((limit - cost - cur + 1) * window / prev) + 1
            retry = window - Exact.ceilQuotient(limit - cost - cur + 1, window, prev) + 1 - elapsed;
        } else {
            // in the next window, where this window's count becomes the decaying one
            retry = we - t + Math.max(0, window - Exact.ceilQuotient(limit - cost + 1, window, cur) + 1);
        }
        return verdict(ok, limit - est, reset, retry);
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        windowStart = pendingStart;
        current = pendingCurrent + cost;
        previous = pendingPrevious;
        this.remaining = limit - pendingEstimate - cost;
        this.resetMicros = windowStart + 2 * window - t;
        freshAtMicros = windowStart + 2 * window;
        // until a request of cost c = remaining + 1 fits: the check's retry-after for it, this window's count being
        // current (there, limit - c - current + 1 = est - cur, the previous window's weighted count, and
        // limit - c + 1 = est + cost)
        long est = pendingEstimate;
        long cur = pendingCurrent;
        long elapsed = t - windowStart;
        if (est > cur) { // later in this window, once the previous window's weighted count has dropped by one
            this.nextMicros = window - Exact.ceilQuotient(est - cur, window, previous) + 1 - elapsed;
        } else { // in the next window
            this.nextMicros = windowStart + window - t
                    + Math.max(0, window - Exact.ceilQuotient(est + cost, window, current) + 1);
        }
    }

    /** The current window's count goes down, then the previous one's (as of {@code te}, under the commit's window). */
    @Override
    boolean refund(long te, long permits) {
        long w0 = stateWindow;
        long ws = te - Math.floorMod(te, w0);
        if (windowStart == ws) {
            long take = Math.min(current, permits);
            current -= take;
            previous = Math.max(0, previous - (permits - take));
            return current == 0 && previous == 0;
        }
        if (windowStart == ws - w0) { // the commit's window is the previous one now
            current = Math.max(0, current - permits);
            return current == 0;
        }
        return false;
    }

    @Override
    void clear() {
        windowStart = Long.MIN_VALUE;
        current = 0;
        previous = 0;
    }

    @Override
    long footprintBytes() {
        return 72;
    }
}
