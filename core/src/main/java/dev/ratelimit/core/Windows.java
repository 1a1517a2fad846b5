package dev.ratelimit.core;

import dev.ratelimit.internal.Durations;

import java.time.Duration;

/** Parses and bounds rule windows, with messages that say what a window may be. */
final class Windows {

    static final Duration MIN = Duration.ofMillis(1);
    static final Duration MAX = Duration.ofDays(366);

    private Windows() {
    }

    /**
     * Parses a window.
     *
     * @throws IllegalArgumentException naming the text when it is not a duration
     */
    static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("window is empty; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M");
        }
        Duration window = Durations.parse(text);
        if (window == null) {
            throw new IllegalArgumentException("window '" + text
                    + "' is not a duration; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M");
        }
        return window;
    }

    /** Checks that a window lies between {@link #MIN} and {@link #MAX} and is a whole number of milliseconds. */
    static Duration validate(Duration window, String shownAs) {
        if (window == null) {
            throw new IllegalArgumentException("window is required");
        }
        if (window.compareTo(MIN) < 0 || window.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("window '" + shownAs + "' must be between 1ms and 366d");
        }
        if (window.toNanos() % 1_000_000L != 0) {
            throw new IllegalArgumentException("window '" + shownAs + "' must be a whole number of milliseconds");
        }
        return window;
    }

    /** Parses a block after denial: blank or {@code 0} for none, else a duration as a window is written. */
    static Duration parseBlock(String text) {
        if (text == null || text.isBlank() || text.trim().equals("0")) {
            return Duration.ZERO;
        }
        Duration d = Durations.parse(text);
        if (d == null) {
            throw new IllegalArgumentException("blockAfterDenial '" + text
                    + "' is not a duration; use 30s, 15m, 1h, 1d or ISO-8601 such as PT1H (empty or 0 for none)");
        }
        return d;
    }

    /** Checks a block after denial: zero (none), or as a window, between 1 ms and 366 days in whole milliseconds. */
    static Duration validateBlock(Duration block, String shownAs) {
        if (block.isZero()) {
            return block;
        }
        if (block.compareTo(MIN) < 0 || block.compareTo(MAX) > 0 || block.toNanos() % 1_000_000L != 0) {
            throw new IllegalArgumentException("blockAfterDenial '" + shownAs
                    + "' must be 0 (none) or between 1ms and 366d, a whole number of milliseconds");
        }
        return block;
    }
}
