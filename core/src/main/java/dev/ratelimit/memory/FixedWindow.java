package dev.ratelimit.memory;

/** FIXED_WINDOW in memory; twin of {@code FixedWindow.lua}. A counter for the calendar window {@code t - t mod window}. */
final class FixedWindow extends AlgorithmState {

    private long windowStart = Long.MIN_VALUE;
    private long count;

    private long pendingStart;
    private long pendingCount;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        // still in the counted window: no division
        long since = t - windowStart;
        long ws = windowStart != Long.MIN_VALUE && since >= 0 && since < window ? windowStart
                : t - Math.floorMod(t, window);
        long we = ws + window;
        long n = windowStart == ws ? count : 0;
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
