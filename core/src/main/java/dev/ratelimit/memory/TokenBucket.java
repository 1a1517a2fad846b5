package dev.ratelimit.memory;

/**
 * TOKEN_BUCKET in memory; twin of {@code TokenBucket.lua}. Holds {@code tokens * window} (an integer while
 * {@code limit * window} stays below 2^53, so refills are exact) and the time of the last update, with the same double
 * operations as the script.
 */
final class TokenBucket extends AlgorithmState {

    private boolean fresh = true;
    private double scaledTokens;
    private long updatedAt;

    private double pendingTokens;
    private long pendingUpdatedAt;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        double full = (double) limit * (double) window;
        double s = scaledTokens;
        long ts = updatedAt;
        if (fresh) {
            s = full;
            ts = t;
        } else if (t > ts) {
            long elapsed = t - ts;
            s = elapsed >= window ? full : Math.min(full, s + (double) elapsed * (double) limit);
            ts = t;
        }
        pendingTokens = s;
        pendingUpdatedAt = ts;

        double need = (double) cost * (double) window;
        boolean ok = cost <= limit && s >= need;
        if (ok && committing) {
            return verdict(true, 0, 0, 0); // the commit computes remaining and reset
        }
        long retry = ok ? 0 : cost > limit ? window : (long) Math.ceil((need - s) / limit);
        return verdict(ok, (long) Math.floor(s / window), (long) Math.ceil((full - s) / limit), retry);
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        double full = (double) limit * (double) window;
        fresh = false;
        scaledTokens = pendingTokens - (double) cost * (double) window;
        updatedAt = pendingUpdatedAt;
        long reset = (long) Math.ceil((full - scaledTokens) / limit);
        this.remaining = (long) Math.floor(scaledTokens / window);
        this.resetMicros = reset;
        expiresAtMicros = t + reset;
    }

    @Override
    long footprintBytes() {
        return 56;
    }
}
