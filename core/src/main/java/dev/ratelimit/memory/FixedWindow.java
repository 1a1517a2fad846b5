package dev.ratelimit.memory;

/**
 * FIXED_WINDOW in memory; twin of {@code FixedWindow.lua}. A counter for the calendar window {@code t - t mod window}.
 * Under a changed window the count of the old rule's current window is counted in the new rule's.
 */
final class FixedWindow extends AlgorithmState {

    private long windowStart = Long.MIN_VALUE;
    private long count;

    private long pendingStart;
    private long pendingCount;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        // still in the counted window: no division
        long since = t - windowStart;
        boolean changed = window != stateWindow && !isFresh();
        long ws = !changed && windowStart != Long.MIN_VALUE && since >= 0 && since < window ? windowStart
                : t - Math.floorMod(t, window);
        long we = ws + window;
        long n = windowStart == ws ? count : 0;
        if (changed) {
            // a changed window: the permits the old window still counts are counted in the new one
            long since0 = t - windowStart;
            n = since0 >= 0 && since0 < stateWindow ? count : 0;
            windowStart = ws;
            count = n;
            carried(t, limit, window, n > 0 ? we : t);
        }
        pendingStart = ws;
        pendingCount = n;
        boolean ok = n + cost <= limit;
        long retry = ok ? 0 : we - t;
        return verdict(ok, limit - n, n > 0 ? we - t : 0, retry);
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        windowStart = pendingStart;
        count = pendingCount + cost;
        long we = windowStart + window;
        this.remaining = limit - count;
        this.resetMicros = we - t;
        this.nextMicros = we - t; // a request of cost remaining + 1 needs a new window
        freshAtMicros = we;
    }

    /** The current window's count goes down (as of {@code te}, under the window of the last commit). */
    @Override
    boolean refund(long te, long permits) {
        if (windowStart != te - Math.floorMod(te, stateWindow)) {
            return false; // the counted window has ended: nothing counts
        }
        count = Math.max(0, count - permits);
        return count == 0;
    }

    @Override
    void clear() {
        windowStart = Long.MIN_VALUE;
        count = 0;
    }

    @Override
    long footprintBytes() {
        return 64;
    }
}
