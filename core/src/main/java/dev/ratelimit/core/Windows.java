package dev.ratelimit.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses window strings: {@code 500ms}, {@code 10s}, {@code 1m}, {@code 1h}, {@code 1d}, or ISO-8601 durations. */
final class Windows {

    static final Duration MIN = Duration.ofMillis(1);
    static final Duration MAX = Duration.ofDays(366);

    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

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
        String trimmed = text.trim();
        Matcher m = SHORT.matcher(trimmed.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(amount);
                case "s": return Duration.ofSeconds(amount);
                case "m": return Duration.ofMinutes(amount);
                case "h": return Duration.ofHours(amount);
                default: return Duration.ofDays(amount);
            }
        }
        try {
            return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("window '" + text
                    + "' is not a duration; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M", e);
        }
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
}
