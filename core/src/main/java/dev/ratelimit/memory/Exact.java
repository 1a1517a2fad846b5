package dev.ratelimit.memory;

/**
 * Exact integer arithmetic for the algorithms, the twin of {@code muldiv} in the scripts' prelude
 * ({@code RateLimiter.lua}): {@code x * y / m} where the product (up to 2^76: a limit times a window in µs) overflows a
 * long, though the quotient does not.
 */
final class Exact {

    private Exact() {
    }

    /** {@code floor(x * y / m)} for {@code 0 <= x < 2^32}, {@code 0 <= y <= 2^45}, {@code 0 < m <= 2^45}. */
    static long quotient(long x, long y, long m) {
        long p = x * y;
        if (Math.multiplyHigh(x, y) == 0 && p >= 0) {
            return p / m;
        }
        long q = 0;
        long r = 0;
        for (int shift = 16; shift >= 0; shift -= 16) { // x in base 2^16: every partial sum stays below 2^62
            long v = (r << 16) + ((x >>> shift) & 0xFFFF) * y;
            long d = v / m;
            q = (q << 16) + d;
            r = v - d * m;
        }
        return q;
    }

    /** {@code x * y - m * floor(x * y / m)} for the same ranges as {@link #quotient}. */
    static long remainder(long x, long y, long m) {
        long p = x * y;
        if (Math.multiplyHigh(x, y) == 0 && p >= 0) {
            return p % m;
        }
        long r = 0;
        for (int shift = 16; shift >= 0; shift -= 16) {
            long v = (r << 16) + ((x >>> shift) & 0xFFFF) * y;
            r = v % m;
        }
        return r;
    }

    /** {@code ceil(x * y / m)} for the same ranges as {@link #quotient}. */
    static long ceilQuotient(long x, long y, long m) {
        return quotient(x, y, m) + (remainder(x, y, m) > 0 ? 1 : 0);
    }

    /** {@code ceil(a / b)} for {@code b > 0} and any {@code a}. */
    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
