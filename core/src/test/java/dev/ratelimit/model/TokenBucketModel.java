package dev.ratelimit.model;

import java.math.BigInteger;

/**
 * TOKEN_BUCKET (and GCRA, defined to answer exactly like it): {@code tokens} is a rational, {@code L} when fresh; at
 * {@code te}, {@code tokens = min(L, tokens_at_tl + (te - tl) * L / W)}; a request passes iff {@code tokens >= c}
 * and a commit subtracts {@code c}. Tokens are kept exactly as {@code tokens * W}, a BigInteger: every operation on
 * it (refill {@code dt * L}, take {@code c * W}, cap {@code L * W}) stays whole.
 */
final class TokenBucketModel extends CounterModel {

    private final BigInteger bigL;
    private final BigInteger bigW;
    /** {@code L * W}: a full bucket, scaled. */
    private final BigInteger full;
    /** tokens * W at {@link #at}; a fresh bucket is full. */
    private BigInteger scaledTokens;
    /** The time {@link #scaledTokens} refers to (the last commit); unused while fresh. */
    private long at;
    private boolean fresh = true;
    /** A GCRA state: the same answers, but a refund deletes it by its own rule ({@link #refund}). */
    private final boolean gcra;

    TokenBucketModel(long limit, long window, boolean gcra) {
        super(limit, window);
        this.gcra = gcra;
        this.bigL = BigInteger.valueOf(limit);
        this.bigW = BigInteger.valueOf(window);
        this.full = bigL.multiply(bigW);
        this.scaledTokens = full;
    }

    /** tokens * W at {@code te}. */
    private BigInteger scaledTokensAt(long te) {
        if (fresh) {
            return full;
        }
        BigInteger refilled = scaledTokens.add(BigInteger.valueOf(te - at).multiply(bigL));
        return refilled.min(full);
    }

    @Override
    boolean admits(long te, long cost) {
        return scaledTokensAt(te).compareTo(BigInteger.valueOf(cost).multiply(bigW)) >= 0;
    }

    @Override
    long remaining(long te) {
        return scaledTokensAt(te).divide(bigW).longValueExact(); // tokens >= 0: floor
    }

    /**
     * The smallest whole {@code d >= 0} with a full bucket at {@code te + d}: {@code (L - tokens) * W / L} rounded
     * up, i.e. {@code ceil((L*W - tokens*W) / L)}.
     */
    @Override
    long reset(long te) {
        BigInteger missing = full.subtract(scaledTokensAt(te));
        return ceilDiv(missing, bigL).longValueExact();
    }

    @Override
    void commit(long te, long cost) {
        scaledTokens = scaledTokensAt(te).subtract(BigInteger.valueOf(cost).multiply(bigW));
        at = te;
        fresh = false;
    }

    /**
     * The tokens used at {@code te}, {@code u = L - tokens}, stay used: the new bucket holds {@code max(0, L' - u)}
     * under the same window, and {@code max(0, L' - ceil(u))} under another (a fraction of a token is worth
     * {@code 1/W} of the window it refills in, so it is not carried into another window).
     */
    @Override
    CounterModel changedTo(long te, long newLimit, long newWindow) {
        TokenBucketModel m = new TokenBucketModel(newLimit, newWindow, gcra);
        BigInteger tokens = scaledTokensAt(te); // scaled by W
        BigInteger carried;
        if (newWindow == window) {
            carried = tokens.add(BigInteger.valueOf(newLimit - limit).multiply(bigW));
        } else {
            long whole = tokens.divide(bigW).longValueExact() + newLimit - limit; // L' - ceil(L - tokens)
            carried = BigInteger.valueOf(whole).multiply(m.bigW);
        }
        m.scaledTokens = carried.max(BigInteger.ZERO).min(m.full);
        m.at = te;
        m.fresh = false;
        return m;
    }

    /**
     * {@code permits} tokens are added to the bucket as stored (at its last commit), at most up to the limit: since
     * refills are capped at the limit too, the same as adding them at {@code te}. Deleted, for the token bucket, when
     * the bucket as stored is full; for GCRA, whose state is its TAT moved back by {@code permits * W / L}, when the
     * TAT is no longer ahead of {@code te}, i.e. when the bucket is full at {@code te}.
     */
    @Override
    boolean refund(long te, long lastCommit, long permits) {
        scaledTokens = scaledTokens.add(BigInteger.valueOf(permits).multiply(bigW)).min(full);
        return gcra ? scaledTokensAt(te).equals(full) : scaledTokens.equals(full);
    }

    @Override
    long freshAfterCommitAt(long te) {
        return te + reset(te);
    }

    private static BigInteger ceilDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    }
}
