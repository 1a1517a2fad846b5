package dev.ratelimit.memory;

import java.util.Arrays;

/**
 * SLIDING_WINDOW_LOG in memory; twin of {@code SlidingWindowLog.lua}. One timestamp per permit, in order; an entry
 * taken at {@code s} counts while {@code t < s + window}. The array grows with use, up to the limit.
 */
final class SlidingWindowLog extends AlgorithmState {

    /** The counter's own window: a commit keeps the log at least this long after it, as the script does. */
    private final long counterWindow;

    private long[] times = new long[4];
    private int start;
    private int size;

    /** The first entry that still counts, as of the last {@link #evaluate}; the commit drops those before it. */
    private int pendingFirst;

    SlidingWindowLog(long counterWindow) {
        this.counterWindow = counterWindow;
    }

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        int end = start + size;
        if (size > 0 && window > counterWindow) {
            // a changed rule with a longer window: the log lives on until its newest entry leaves this window
            expireAsFreshAt(times[end - 1] + window);
        }
        int first = firstAfter(t - window, end); // a check drops nothing: a denial changes no state, as in the script
        pendingFirst = first;
        long n = end - first;
        boolean ok = n + cost <= limit;
        long reset = n > 0 ? times[end - 1] + window - t : 0;
        long retry;
        if (ok) {
            retry = 0;
        } else {
            int k = (int) (n + cost - limit);
            retry = times[first + k - 1] + window - t;
        }
        return verdict(ok, limit - n, reset, retry);
    }

    /** The index of the first entry after {@code horizon} (entries are in time order), or {@code end}. */
    private int firstAfter(long horizon, int end) {
        int lo = start;
        int hi = end;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (times[mid] <= horizon) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        size -= pendingFirst - start;
        start = pendingFirst;
        int add = (int) cost;
        ensureRoom(add);
        int end = start + size;
        Arrays.fill(times, end, end + add, t); // t is never before the newest entry: time never goes back
        size += add;
        this.remaining = limit - size;
        this.resetMicros = window;
        this.nextMicros = times[start] + window - t; // a request of cost remaining + 1 fits once the oldest expired
        freshAtMicros = t + Math.max(window, counterWindow);
    }

    /** The newest entries go, that many; the newest left is the last commit's time (as the script reads it). */
    @Override
    boolean refund(long te, long permits) {
        size -= (int) Math.min(permits, size);
        if (size == 0) {
            return true;
        }
        lastCommitMicros = times[start + size - 1];
        return false;
    }

    @Override
    void clear() {
        start = 0;
        size = 0;
    }

    private void ensureRoom(int add) {
        if (start + size + add <= times.length) {
            return;
        }
        int needed = size + add;
        long[] target = needed <= times.length / 2 ? times : new long[Math.max(needed, times.length * 2)];
        System.arraycopy(times, start, target, 0, size);
        times = target;
        start = 0;
    }

    @Override
    long footprintBytes() {
        return 48 + 16 + 8L * times.length;
    }
}
