package dev.ratelimit.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as text, the one syntax used by {@link dev.ratelimit.core.RateLimited#window()}, init-params and settings: {@code 500ms},
 * {@code 10s}, {@code 1m}, {@code 1h}, {@code 1d} or ISO-8601 such as {@code PT1M}.
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses a duration; case and surrounding blanks are ignored.
     *
     * @param text {@code 500ms}, {@code 10s}, {@code 1m}, {@code 1h}, {@code 1d} (a number of up to 12 digits and a
     *             unit) or ISO-8601 such as {@code PT1M}; may be null
     * @return the duration, or null when {@code text} is null or not a duration (the caller reports it with its
     *         context)
     */
    public static Duration parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(t);
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
        if (!t.startsWith("p") && !t.startsWith("-p") && !t.startsWith("+p")) {
            return null;
        }
        try {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The shortest exact form of a duration in the syntax {@link #parse(String)} reads.
     *
     * @param d the duration, not null
     * @return {@code 1d}, {@code 2h}, {@code 1m}, {@code 10s}, {@code 150ms}…; ISO-8601 ({@link Duration#toString()})
     *         for a negative duration or one with a fraction of a millisecond
     */
    public static String format(Duration d) {
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (d.isNegative() || nanos % 1_000_000 != 0) {
            return d.toString();
        }
        if (nanos == 0 && seconds != 0) {
            if (seconds % 86_400L == 0) {
                return seconds / 86_400L + "d";
            }
            if (seconds % 3_600L == 0) {
                return seconds / 3_600L + "h";
            }
            if (seconds % 60L == 0) {
                return seconds / 60L + "m";
            }
            return seconds + "s";
        }
        if (seconds > Long.MAX_VALUE / 1_000L - 1) {
            return d.toString();
        }
        return (seconds * 1_000L + nanos / 1_000_000) + "ms";
    }
}
