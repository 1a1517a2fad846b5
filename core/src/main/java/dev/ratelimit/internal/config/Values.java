package dev.ratelimit.internal.config;

import dev.ratelimit.internal.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one parser of configuration text, used for settings and for the servlet filter's rule parameters alike: blank
 * counts as unset, whole numbers, decimals, durations, booleans, enum constants and {@code host:port} lists. Each
 * method takes the text (already trimmed, never blank) and a function that turns a reason into the caller's
 * exception, so every message names the caller's setting or parameter. Not API.
 */
public final class Values {

    private static final Pattern WHOLE = Pattern.compile("[+-]?\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d{1,9}(\\.\\d{1,9})?");

    private Values() {
    }

    /**
     * {@return {@code raw} trimmed, or null when it is null or blank: blank counts as unset everywhere}
     *
     * @param raw the value as read, may be null
     */
    public static String unlessBlank(String raw) {
        return raw == null || raw.isBlank() ? null : raw.strip();
    }

    /**
     * {@return a whole number of at most 18 digits}
     *
     * @param text the value, trimmed and not blank
     * @param invalid turns a reason into the caller's error
     */
    public static long whole(String text, Function<String, IllegalArgumentException> invalid) {
        if (!WHOLE.matcher(text).matches()) {
            throw invalid.apply("must be a whole number");
        }
        return Long.parseLong(text);
    }

    /**
     * {@return a whole number that fits an {@code int}}
     *
     * @param text the value, trimmed and not blank
     * @param invalid turns a reason into the caller's error
     */
    public static int integer(String text, Function<String, IllegalArgumentException> invalid) {
        long value = whole(text, invalid);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw invalid.apply("must be a whole number up to " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /**
     * {@return a number such as {@code 50} or {@code 12.5}}
     *
     * @param text the value, trimmed and not blank
     * @param invalid turns a reason into the caller's error
     */
    public static float decimal(String text, Function<String, IllegalArgumentException> invalid) {
        if (!DECIMAL.matcher(text).matches()) {
            throw invalid.apply("must be a number such as 50 or 12.5");
        }
        return Float.parseFloat(text);
    }

    /**
     * {@return a duration in the syntax of {@link Durations}, at most {@code max}}
     *
     * @param text the value, trimmed and not blank
     * @param max the longest accepted
     * @param invalid turns a reason into the caller's error
     */
    public static Duration duration(String text, Duration max, Function<String, IllegalArgumentException> invalid) {
        Duration d = Durations.parse(text);
        if (d == null || d.compareTo(max) > 0) {
            throw invalid.apply("must be a duration of at most " + Durations.format(max)
                    + " such as 100ms, 5s, 1m or PT0.1S");
        }
        return d;
    }

    /**
     * {@return {@code true} or {@code false}, in any case}
     *
     * @param text the value, trimmed and not blank
     * @param invalid turns a reason into the caller's error
     */
    public static boolean bool(String text, Function<String, IllegalArgumentException> invalid) {
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid.apply("must be true or false");
    }

    /**
     * {@return the constant of {@code type} named {@code text}, in any case}
     *
     * @param text the value, trimmed and not blank
     * @param type the enum
     * @param invalid turns a reason into the caller's error
     * @param <E> the enum type
     */
    public static <E extends Enum<E>> E oneOf(String text, Class<E> type,
            Function<String, IllegalArgumentException> invalid) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw invalid.apply("must be one of " + Arrays.stream(type.getEnumConstants()).map(Enum::name)
                .collect(Collectors.joining(", ")));
    }

    /**
     * {@return the names of a comma-separated list, each trimmed, empty entries left out (as in {@code "a, , b"})}
     *
     * @param text the value, trimmed and not blank
     */
    public static List<String> names(String text) {
        return Arrays.stream(text.split(",", -1)).map(String::strip).filter(n -> !n.isEmpty()).toList();
    }

    /**
     * {@return a comma-separated list, each entry trimmed; an empty entry is refused}
     *
     * @param text the value, trimmed and not blank
     * @param invalid turns a reason into the caller's error
     */
    public static List<String> hostAndPorts(String text, Function<String, IllegalArgumentException> invalid) {
        List<String> entries = Arrays.stream(text.split(",", -1)).map(String::strip).collect(Collectors.toList());
        if (entries.stream().anyMatch(String::isEmpty)) {
            throw invalid.apply("must be a comma-separated list of host:port, e.g. redis-1:6379,redis-2:6379");
        }
        return List.copyOf(entries);
    }
}
