package dev.ratelimit.memory;

/**
 * TOKEN_BUCKET in memory; twin of {@code TokenBucket.lua}. Holds whole tokens plus a fraction in {@code 1/window} of a
 * token as of the last commit, so every refill ({@code elapsed * limit / window}) is exact, as in the script. Under a
 * changed limit or window the tokens used stay used: the bucket is first refilled under the old rule, then holds
 * {@code limit - used} tokens (at least 0).
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
            // the bucket as of t under the limit and window it was written with
            long l0 = stateLimit;
            long w0 = stateWindow;
            k = l0;
            long elapsed = t - lastCommitMicros;
            if (elapsed < w0) {
                k = tokens + Exact.quotient(l0, elapsed, w0);
                f = fraction + Exact.remainder(l0, elapsed, w0);
                if (f >= w0) {
                    k++;
                    f -= w0;
                }
                if (k >= l0) {
                    k = l0;
                    f = 0;
                }
            }
            if (l0 != limit || w0 != window) {
                // a changed rule: the tokens used stay used (at most the new limit); a fraction of a token is kept
                // only while the window, its unit, is the same
                k += limit - l0;
                if (w0 != window) {
                    f = 0;
                }
                if (k >= limit) {
                    k = limit;
                    f = 0;
                } else if (k < 0) {
                    k = 0;
                    f = 0;
                }
                tokens = k;
                fraction = f;
                carried(t, limit, window, t + (k >= limit ? 0 : timeFor(limit - k, f, limit, window)));
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

    /** The tokens grow by the permits; full (the state's limit) is a fresh bucket. */
    @Override
    boolean refund(long te, long permits) {
        tokens += permits;
        return tokens >= stateLimit;
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
