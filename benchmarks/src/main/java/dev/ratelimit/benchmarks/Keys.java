package dev.ratelimit.benchmarks;

/** The client keys the benchmarks cycle through: {@code client-0} … {@code client-(n-1)}. */
final class Keys {

    private Keys() {
    }

    /** {@code n} distinct keys. */
    static String[] of(int n) {
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = "client-" + i;
        }
        return keys;
    }
}
