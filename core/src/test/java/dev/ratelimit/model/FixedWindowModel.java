package dev.ratelimit.model;

import java.util.HashMap;
import java.util.Map;

/**
 * FIXED_WINDOW: {@code ws = te - te mod W}; {@code n} = permits committed in window {@code ws}; a request passes iff
 * {@code n + c <= L}. The state is simply every window's count (only the current one ever matters).
 */
final class FixedWindowModel extends CounterModel {

    private final Map<Long, Long> permitsByWindowStart = new HashMap<>();

    FixedWindowModel(long limit, long window) {
        super(limit, window);
    }

    private long permitsIn(long ws) {
        return permitsByWindowStart.getOrDefault(ws, 0L);
    }

    @Override
    boolean admits(long te, long cost) {
        return permitsIn(windowStart(te)) + cost <= limit;
    }

    @Override
    long remaining(long te) {
        return Math.max(0, limit - permitsIn(windowStart(te)));
    }

    /** The full limit is back when the window ends; 0 when nothing was taken in it. */
    @Override
    long reset(long te) {
        long ws = windowStart(te);
        return permitsIn(ws) > 0 ? ws + window - te : 0;
    }

    @Override
    void commit(long te, long cost) {
        permitsByWindowStart.merge(windowStart(te), cost, Math::addExact);
    }

    @Override
    long freshAfterCommitAt(long te) {
        return windowStart(te) + window;
    }
}
