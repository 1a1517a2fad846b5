package dev.ratelimit.memory;

/**
 * SLIDING_WINDOW_COUNTER in memory; twin of {@code SlidingWindowCounter.lua}. The estimate
 * {@code floor(prev * (window - elapsed) / window) + cur} is computed with the same double operations as the script.
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
        long ws = t - Math.floorMod(t, window);
        long we = ws + window;
        long elapsed = t - ws;
        long cur = 0;
        long prev = 0;
        if (windowStart == ws) {
            cur = current;
            prev = previous;
        } else if (windowStart == ws - window) {
            prev = current;
        }
        long est = (long) Math.floor((double) prev * (double) (window - elapsed) / (double) window) + cur;
        pendingStart = ws;
        pendingCurrent = cur;
        pendingPrevious = prev;
        pendingEstimate = est;

        boolean ok = cost <= limit && est + cost <= limit;
        long reset = cur > 0 ? we + window - t : prev > 0 ? we - t : 0;
        long retry;
        if (ok) {
            retry = 0;
        } else if (cost > limit) {
            retry = window;
        } else if (cur + cost <= limit) {
            long e = (long) Math.floor(window - (double) (limit - cost - cur + 1) * window / prev) + 1;
            retry = e - elapsed;
        } else {
            long e = Math.max(0, (long) Math.floor(window - (double) (limit - cost + 1) * window / cur) + 1);
            retry = we - t + e;
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
        expiresAtMicros = windowStart + 2 * window;
    }

    @Override
    long footprintBytes() {
        return 72;
    }
}
