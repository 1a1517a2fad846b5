package dev.ratelimit.memory;

/**
 * Test-only access to the package-private measurements of {@link InMemoryRateLimiter}, for tests in other packages,
 * other modules' tests and the benchmarks.
 */
public final class InMemoryTestAccess {

    private InMemoryTestAccess() {
    }

    /**
     * {@link InMemoryRateLimiter#estimatedSize()}.
     *
     * @param limiter the limiter
     * @return the number of (key, rule) states held; entries past their expiry may still be counted
     */
    public static long estimatedSize(InMemoryRateLimiter limiter) {
        return limiter.estimatedSize();
    }

    /**
     * {@link InMemoryRateLimiter#estimatedFootprintBytes()}.
     *
     * @param limiter the limiter
     * @return the approximate heap held by the state of all keys, in bytes
     */
    public static long estimatedFootprintBytes(InMemoryRateLimiter limiter) {
        return limiter.estimatedFootprintBytes();
    }
}
