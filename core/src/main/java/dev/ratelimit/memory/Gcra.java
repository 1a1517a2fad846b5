package dev.ratelimit.memory;

/**
 * GCRA in memory; twin of {@code Gcra.lua}. The theoretical arrival time is whole microseconds plus a remainder in
 * {@code 1/limit} microseconds; a request passes while {@code TAT - now <= window}. Exact, as in the script. Under a
 * changed limit or window the permits used ({@code (TAT - now) * limit / window} under the old rule; rounded up when
 * the window changes) stay used, at most the new limit: GCRA answers as the token bucket does.
 */
final class Gcra extends AlgorithmState {

    private long tatWhole;
    private long tatRemainder;

    private long pendingWhole;
    private long pendingRemainder;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        long tw = tatWhole;
        long tr = tatRemainder;
        if (isFresh() || tw < t) {
            tw = t;
            tr = 0;
        }
        if (changed(limit, window)) {
            // a changed rule: the permits used as of t, u = ((tw - t) * L0 + tr) / W0 = q + r / W0, stay used (at
            // most the new limit), and the TAT is where they put it under the new emission interval
            long d = tw - t;
            long r = Exact.remainder(stateLimit, d, stateWindow) + tr;
            long q = Exact.quotient(stateLimit, d, stateWindow) + r / stateWindow;
            r %= stateWindow;
            if (q > limit || (q == limit && r > 0)) { // at most the new limit used
                tw = t + window;
                tr = 0;
            } else if (window == stateWindow) { // the TAT moves to t + u * W / L = t + (d * L0 + tr) / L: exact
                long rr = Exact.remainder(stateLimit, d, limit) + tr;
                tw = t + Exact.quotient(stateLimit, d, limit) + rr / limit;
                tr = rr % limit;
            } else { // u rounded up, at the new emission interval
                long used = q + (r > 0 ? 1 : 0);
                tw = t + Exact.quotient(used, window, limit);
                tr = Exact.remainder(used, window, limit);
            }
            tatWhole = tw;
            tatRemainder = tr;
            carried(t, limit, window, tw + (tr > 0 ? 1 : 0));
        }
        long nw = tw + Exact.quotient(cost, window, limit);
        long nr = tr + Exact.remainder(cost, window, limit);
        if (nr >= limit) {
            nw++;
            nr -= limit;
        }
        long dt = nw - t;
        boolean ok = dt < window || (dt == window && nr == 0);
        long retry = ok ? 0 : dt - window + (nr > 0 ? 1 : 0);
        pendingWhole = nw;
        pendingRemainder = nr;
        if (ok && committing) {
            return verdict(true, 0, 0, 0); // the commit computes remaining and reset
        }
        return verdict(ok, remaining(tw, tr, t, limit, window), tw - t + (tr > 0 ? 1 : 0), retry);
    }

    /** Whole permits left: floor(((window - (tw - t)) * limit - tr) / window). */
    private static long remaining(long tw, long tr, long t, long limit, long window) {
        long d = window - (tw - t);
        return Exact.quotient(limit, d, window) + Math.floorDiv(Exact.remainder(limit, d, window) - tr, window);
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        tatWhole = pendingWhole;
        tatRemainder = pendingRemainder;
        long reset = tatWhole - t + (tatRemainder > 0 ? 1 : 0);
        this.remaining = remaining(tatWhole, tatRemainder, t, limit, window);
        this.resetMicros = reset;
        // until a request of cost remaining + 1 fits: the check's retry-after for it
        long nw = tatWhole + Exact.quotient(remaining + 1, window, limit);
        long nr = tatRemainder + Exact.remainder(remaining + 1, window, limit);
        if (nr >= limit) {
            nw++;
            nr -= limit;
        }
        this.nextMicros = nw - t - window + (nr > 0 ? 1 : 0);
        freshAtMicros = t + reset;
    }

    /** The TAT moves back by {@code permits} emission intervals; once not ahead of {@code te}, a fresh state. */
    @Override
    boolean refund(long te, long permits) {
        tatWhole -= Exact.quotient(permits, stateWindow, stateLimit);
        tatRemainder -= Exact.remainder(permits, stateWindow, stateLimit);
        if (tatRemainder < 0) {
            tatWhole--;
            tatRemainder += stateLimit;
        }
        return tatWhole < te || (tatWhole == te && tatRemainder == 0);
    }

    @Override
    void clear() {
        tatWhole = 0;
        tatRemainder = 0;
    }

    @Override
    long footprintBytes() {
        return 72;
    }
}
