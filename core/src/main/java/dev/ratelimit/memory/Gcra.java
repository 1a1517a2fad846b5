package dev.ratelimit.memory;

/**
 * GCRA in memory; twin of {@code Gcra.lua}. The theoretical arrival time is whole microseconds plus a remainder in
 * {@code 1/limit} microseconds; a request passes while {@code TAT - now <= window}. Same double operations as the
 * script.
 */
final class Gcra extends AlgorithmState {

    private boolean fresh = true;
    private double tatWhole;
    private double tatRemainder;

    private double pendingWhole;
    private double pendingRemainder;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        double tw = tatWhole;
        double tr = tatRemainder;
        if (fresh || tw < t) {
            tw = t;
            tr = 0;
        }
        double step = (double) cost * (double) window;
        double whole = Math.floor(step / limit);
        double nw = tw + whole;
        double nr = tr + (step - whole * limit);
        if (nr >= limit) {
            nw = nw + 1;
            nr = nr - limit;
        }
        double d = nw - t;
        pendingWhole = nw;
        pendingRemainder = nr;

        boolean ok = cost <= limit && (d < window || (d == window && nr == 0));
        if (ok && committing) {
            return verdict(true, 0, 0, 0); // the commit computes remaining and reset
        }
        long remaining = (long) Math.max(0, Math.floor(((window - (tw - t)) * (double) limit - tr) / window));
        long reset = (long) (tw - t + (tr > 0 ? 1 : 0));
        long retry = ok ? 0 : cost > limit ? window : (long) (d - window + (nr > 0 ? 1 : 0));
        return verdict(ok, remaining, reset, retry);
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        fresh = false;
        tatWhole = pendingWhole;
        tatRemainder = pendingRemainder;
        double d = tatWhole - t;
        long reset = (long) (d + (tatRemainder > 0 ? 1 : 0));
        this.remaining = (long) Math.max(0, Math.floor(((window - d) * (double) limit - tatRemainder) / window));
        this.resetMicros = reset;
        expiresAtMicros = t + reset;
    }

    @Override
    long footprintBytes() {
        return 56;
    }
}
