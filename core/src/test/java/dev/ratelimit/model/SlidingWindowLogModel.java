package dev.ratelimit.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * SLIDING_WINDOW_LOG: one entry per permit at its commit time {@code s}; an entry counts while {@code s > te - W}.
 * {@code n} = entries counting; a request passes iff {@code n + c <= L}. The log is kept as a multiset (time to
 * number of entries at that time); a commit forgets the entries too old to count.
 */
final class SlidingWindowLogModel extends CounterModel {

    private final TreeMap<Long, Long> entriesByTime = new TreeMap<>();

    SlidingWindowLogModel(long limit, long window) {
        super(limit, window);
    }

    /** The entries that count at {@code te}: those with {@code s > te - W}. */
    private Map<Long, Long> counting(long te) {
        return entriesByTime.tailMap(te - window, false);
    }

    private long count(long te) {
        long n = 0;
        for (long entries : counting(te).values()) {
            n += entries;
        }
        return n;
    }

    @Override
    boolean admits(long te, long cost) {
        return count(te) + cost <= limit;
    }

    @Override
    long remaining(long te) {
        return Math.max(0, limit - count(te));
    }

    /** {@code newest + W - te} while any entry counts (then all of them have aged out), else 0. */
    @Override
    long reset(long te) {
        Map<Long, Long> counting = counting(te);
        if (counting.isEmpty()) {
            return 0;
        }
        long newest = entriesByTime.lastKey();
        return newest + window - te;
    }

    /** A commit also forgets the entries that no longer count (as the stores do), so a longer window never sees them. */
    @Override
    void commit(long te, long cost) {
        entriesByTime.headMap(te - window, true).clear();
        entriesByTime.merge(te, cost, Math::addExact);
    }

    /** The log knows when each permit was taken: the same entries, counted under the new limit and window. */
    @Override
    CounterModel changedTo(long te, long newLimit, long newWindow) {
        SlidingWindowLogModel m = new SlidingWindowLogModel(newLimit, newWindow);
        m.entriesByTime.putAll(entriesByTime);
        return m;
    }

    /**
     * The {@code permits} newest entries held are removed (all when fewer are held), counting or not; deleted when
     * none is left.
     */
    @Override
    boolean refund(long te, long lastCommit, long permits) {
        long left = permits;
        while (left > 0 && !entriesByTime.isEmpty()) {
            Map.Entry<Long, Long> newest = entriesByTime.lastEntry();
            long removed = Math.min(left, newest.getValue());
            if (removed == newest.getValue()) {
                entriesByTime.remove(newest.getKey());
            } else {
                entriesByTime.put(newest.getKey(), newest.getValue() - removed);
            }
            left -= removed;
        }
        return entriesByTime.isEmpty();
    }

    /** The newest entry left. */
    @Override
    long lastCommitAfterRefund(long lastCommit) {
        return entriesByTime.lastKey();
    }

    @Override
    long freshAfterCommitAt(long te) {
        return te + window;
    }
}
