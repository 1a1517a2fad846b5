package dev.ratelimit.memory;

/**
 * TOKEN_BUCKET in memory; twin of {@code TokenBucket.lua}. Holds whole tokens plus a fraction in {@code 1/window} of a
 * token as of the last commit, so every refill ({@code elapsed * limit / window}) is exact, as in the script.
 */
final class TokenBucket extends AlgorithmState {

    private long tokens;
    private long fraction;

    private long pendingTokens;
    private long pendingFraction;

    @Override
    boolean evaluate(long t, long limit, long window, long cost, boolean committing) {
        long k = limit;
        long f = 0;
        if (!isFresh()) {
            long elapsed = t - lastCommitMicros;
            if (elapsed < window) {
                k = tokens + Exact.quotient(limit, elapsed, window);
                f = fraction + Exact.remainder(limit, elapsed, window);
                if (f >= window) {
                    k++;
                    f -= window;
                }
                if (k >= limit) {
                    k = limit;
                    f = 0;
                }
            }
        }
        pendingTokens = k;
        pendingFraction = f;

        boolean ok = k >= cost;
        if (ok && committing) {
            return verdict(true, 0, 0, 0); // the commit computes remaining and reset
        }
        long retry = ok ? 0 : timeFor(cost - k, f, limit, window);
        return verdict(ok, k, k >= limit ? 0 : timeFor(limit - k, f, limit, window), retry);
    }

    /** Microseconds until {@code whole - f / window} tokens have refilled: ceil((whole * window - f) / limit). */
    private static long timeFor(long whole, long f, long limit, long window) {
        return Exact.quotient(whole, window, limit) + Exact.ceilDiv(Exact.remainder(whole, window, limit) - f, limit);
    }

    @Override
    void commit(long t, long limit, long window, long cost) {
        tokens = pendingTokens - cost;
        fraction = pendingFraction;
        long reset = timeFor(limit - tokens, fraction, limit, window);
        this.remaining = tokens;
        this.resetMicros = reset;
        this.nextMicros = timeFor(1, fraction, limit, window); // until tokens + 1 whole tokens
        freshAtMicros = t + reset;
    }

    @Override
    void clear() {
        tokens = 0;
        fraction = 0;
    }

    @Override
    long footprintBytes() {
        return 72;
    }
}
