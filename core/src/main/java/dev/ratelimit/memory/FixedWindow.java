package dev.ratelimit.memory;

/** FIXED_WINDOW in memory; twin of {@code FixedWindow.lua}. A counter for the calendar window {@code t - t mod window}. */
final class FixedWindow extends AlgorithmState {

    private long windowStart = Long.MIN_VALUE;
    private long windowLength;
    private long count;

    private long pendingStart;
    private long pendingCount;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        // still in the counted window: no division (rules sharing this state may have other windows, hence the length)
        long ws = window == windowLength && t >= windowStart && t - windowStart < window ? windowStart
                : t - Math.floorMod(t, window);
        long we = ws + window;
        long n = windowStart == ws ? count : 0;
        pendingStart = ws;
        pendingCount = n;
        boolean ok = cost <= limit && n + cost <= limit;
        long retry = ok ? 0 : cost > limit ? window : we - t;
        return verdict(ok, limit - n, n > 0 ? we - t : 0, retry);
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        windowStart = pendingStart;
        windowLength = window;
        count = pendingCount + cost;
        long we = windowStart + window;
        this.remaining = limit - count;
        this.resetMicros = we - t;
        expiresAtMicros = we;
    }

    @Override
    long footprintBytes() {
        return 56;
    }
}
