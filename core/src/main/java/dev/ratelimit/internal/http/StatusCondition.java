package dev.ratelimit.internal.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which response statuses count under a rule ({@code @RateLimited(countWhen = "4xx")}, the servlet filter's
 * {@code countWhen}): statuses, ranges and classes, e.g. {@code "401, 403"}, {@code "400-499"}, {@code "4xx, 503"}.
 * Immutable; {@link #matches} is a few comparisons. Not API.
 */
public final class StatusCondition {

    private final int[] from;
    private final int[] to;
    private final String text;

    private StatusCondition(int[] from, int[] to, String text) {
        this.from = from;
        this.to = to;
        this.text = text;
    }

    /**
     * Parses a condition.
     *
     * @param text the condition, e.g. {@code "4xx"}; null or blank: none (every response counts)
     * @return the condition, or null for none
     * @throws IllegalArgumentException naming the part that is no status (100 to 599), range or class
     */
    public static StatusCondition parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        List<int[]> ranges = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            String part = raw.strip().toLowerCase(Locale.ROOT);
            int[] range;
            if (part.matches("[1-5]xx")) {
                int base = (part.charAt(0) - '0') * 100;
                range = new int[] {base, base + 99};
            } else if (part.matches("\\d{3}-\\d{3}")) {
                range = new int[] {Integer.parseInt(part.substring(0, 3)), Integer.parseInt(part.substring(4))};
            } else if (part.matches("\\d{3}")) {
                int status = Integer.parseInt(part);
                range = new int[] {status, status};
            } else {
                throw new IllegalArgumentException("countWhen '" + text + "': '" + raw.strip() + "' is no status "
                        + "(401), range (400-499) or class (4xx)");
            }
            if (range[0] < 100 || range[1] > 599 || range[0] > range[1]) {
                throw new IllegalArgumentException("countWhen '" + text + "': '" + raw.strip() + "' is not within "
                        + "the statuses 100 to 599");
            }
            ranges.add(range);
        }
        int[] from = new int[ranges.size()];
        int[] to = new int[ranges.size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = ranges.get(i)[0];
            to[i] = ranges.get(i)[1];
        }
        return new StatusCondition(from, to, text.strip());
    }

    /**
     * Whether a response of {@code status} counts.
     *
     * @param status the response's status
     * @return whether it is one of the condition's
     */
    public boolean matches(int status) {
        for (int i = 0; i < from.length; i++) {
            if (status >= from[i] && status <= to[i]) {
                return true;
            }
        }
        return false;
    }

    /** {@return the condition as written, e.g. {@code 4xx}} */
    @Override
    public String toString() {
        return text;
    }
}
