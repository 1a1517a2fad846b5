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

    /**
     * The same window: the same counts under the new limit. Another window: the permits of the window of {@code te},
     * counted in the new rule's window of {@code te}.
     */
    @Override
    CounterModel changedTo(long te, long newLimit, long newWindow) {
        FixedWindowModel m = new FixedWindowModel(newLimit, newWindow);
        if (newWindow == window) {
            m.permitsByWindowStart.putAll(permitsByWindowStart);
            return m;
        }
        long n = permitsIn(windowStart(te));
        if (n > 0) {
            m.permitsByWindowStart.put(m.windowStart(te), n);
        }
        return m;
    }

    /**
     * The count of the window of {@code te} goes down by {@code permits}, not below 0; deleted when it is 0. A window
     * that has ended counts nothing: nothing is given back, the state stays as it is.
     */
    @Override
    boolean refund(long te, long lastCommit, long permits) {
        long ws = windowStart(te);
        if (windowStart(lastCommit) != ws) {
            return false;
        }
        permitsByWindowStart.put(ws, Math.max(0, permitsIn(ws) - permits));
        return permitsIn(ws) == 0;
    }

    @Override
    long freshAfterCommitAt(long te) {
        return windowStart(te) + window;
    }
}
