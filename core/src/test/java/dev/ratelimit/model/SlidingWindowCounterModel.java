package dev.ratelimit.model;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;

/**
 * SLIDING_WINDOW_COUNTER: {@code ws = te - te mod W}; {@code cur} = permits committed in window {@code ws},
 * {@code prev} = in window {@code ws - W}; {@code elapsed = te - ws};
 * {@code est = floor(prev * (W - elapsed) / W) + cur} (exact rational floor); a request passes iff
 * {@code est + c <= L}. The state is every window's count.
 */
final class SlidingWindowCounterModel extends CounterModel {

    private final Map<Long, Long> permitsByWindowStart = new HashMap<>();

    SlidingWindowCounterModel(long limit, long window) {
        super(limit, window);
    }

    private long permitsIn(long ws) {
        return permitsByWindowStart.getOrDefault(ws, 0L);
    }

    private long estimate(long te) {
        long ws = windowStart(te);
        long cur = permitsIn(ws);
        long prev = permitsIn(ws - window);
        long elapsed = te - ws;
        BigInteger weighted = BigInteger.valueOf(prev).multiply(BigInteger.valueOf(window - elapsed))
                .divide(BigInteger.valueOf(window)); // both factors >= 0: divide is the floor
        return weighted.longValueExact() + cur;
    }

    @Override
    boolean admits(long te, long cost) {
        return estimate(te) + cost <= limit;
    }

    @Override
    long remaining(long te) {
        return Math.max(0, limit - estimate(te));
    }

    /** The documented upper bound: {@code cur > 0 ? ws + 2W - te : prev > 0 ? ws + W - te : 0}. */
    @Override
    long reset(long te) {
        long ws = windowStart(te);
        if (permitsIn(ws) > 0) {
            return ws + 2 * window - te;
        }
        if (permitsIn(ws - window) > 0) {
            return ws + window - te;
        }
        return 0;
    }

    @Override
    void commit(long te, long cost) {
        permitsByWindowStart.merge(windowStart(te), cost, Math::addExact);
    }

    /**
     * The same window: the same counts under the new limit. Another window: the estimate at {@code te}, counted in
     * the new rule's window of {@code te}.
     */
    @Override
    CounterModel changedTo(long te, long newLimit, long newWindow) {
        SlidingWindowCounterModel m = new SlidingWindowCounterModel(newLimit, newWindow);
        if (newWindow == window) {
            m.permitsByWindowStart.putAll(permitsByWindowStart);
        } else {
            long est = estimate(te);
            if (est > 0) {
                m.permitsByWindowStart.put(m.windowStart(te), est);
            }
        }
        return m;
    }

    /**
     * {@code lastWs} is the window of the state's last commit, {@code ws} that of {@code te}. Same window: the current
     * count goes down by {@code permits}, then the previous one by what is left (neither below 0); deleted when both
     * are 0. The last commit's window is the previous one now: its count goes down by {@code permits}; deleted when it
     * is 0 (what the window before it held counts nothing at {@code te}). An older one: nothing is given back.
     */
    @Override
    boolean refund(long te, long lastCommit, long permits) {
        long ws = windowStart(te);
        long lastWs = windowStart(lastCommit);
        if (lastWs == ws) {
            long fromCurrent = Math.min(permitsIn(ws), permits);
            long fromPrevious = Math.min(permitsIn(ws - window), permits - fromCurrent);
            permitsByWindowStart.put(ws, permitsIn(ws) - fromCurrent);
            permitsByWindowStart.put(ws - window, permitsIn(ws - window) - fromPrevious);
            return permitsIn(ws) == 0 && permitsIn(ws - window) == 0;
        }
        if (lastWs == ws - window) {
            permitsByWindowStart.put(lastWs, Math.max(0, permitsIn(lastWs) - permits));
            return permitsIn(lastWs) == 0;
        }
        return false;
    }

    @Override
    long freshAfterCommitAt(long te) {
        return windowStart(te) + 2 * window;
    }
}
