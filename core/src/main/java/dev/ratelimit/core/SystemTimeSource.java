package dev.ratelimit.core;

/** {@link TimeSource#system()}: wall-clock anchored, advanced by {@link System#nanoTime()} so it is monotonic. */
enum SystemTimeSource implements TimeSource {
    INSTANCE;

    private final long originMicros = System.currentTimeMillis() * 1_000L;
    private final long originNanos = System.nanoTime();

    @Override
    public long nowMicros() {
        return originMicros + (System.nanoTime() - originNanos) / 1_000L;
    }
}
