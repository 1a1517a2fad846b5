package dev.ratelimit.client;

import dev.ratelimit.client.StructuredFields.Member;
import dev.ratelimit.client.StructuredFields.Token;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What one response says about the client's quota, read leniently from whichever rate-limit fields it carries: a
 * malformed field, member or parameter is ignored, never an error. Precedence between the families that describe the
 * current state: the IETF {@code RateLimit} field, else the draft-07 {@code RateLimit-Remaining} (with
 * {@code RateLimit-Limit} and {@code RateLimit-Reset}), else {@code X-RateLimit-Remaining} (with
 * {@code X-RateLimit-Limit} and {@code X-RateLimit-Reset}). {@code RateLimit-Policy} adds the quota and window of named
 * policies, and, as Integer items (draft-07), of the unnamed one.
 */
final class RateLimitFields {

    /** {@code X-RateLimit-Reset} values above this are epoch seconds (several vendors send them), not delays. */
    static final long EPOCH_SECONDS_THRESHOLD = 1_000_000_000L;

    /**
     * Delays and windows are capped at 366 days: a server may send any Integer (up to 15 digits), and a client waits
     * no longer than its maximum wait anyway; the cap keeps the arithmetic on instants in range.
     */
    static final long MAX_SECONDS = 366L * 24 * 3600;

    private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,18}(\\.\\d{1,9})?");

    /**
     * A policy's definition ({@code RateLimit-Policy}) or current state ({@code RateLimit} and the older fields).
     * Unknown numbers are -1.
     *
     * @param name          the policy's name, {@link RateLimitState#UNNAMED} for the unnamed fields
     * @param quota         {@code q}, or the limit of the older fields
     * @param windowSeconds {@code w}
     * @param quotaUnit     {@code qu}, or null
     * @param remaining     {@code r}, or the remaining of the older fields
     * @param resetSeconds  {@code t}, or the reset of the older fields as a delay
     */
    record PolicyFields(String name, long quota, long windowSeconds, String quotaUnit, long remaining,
            long resetSeconds) {
    }

    /**
     * The rate-limit content of one response.
     *
     * @param definitions what {@code RateLimit-Policy} says, in order
     * @param current     the policies' current state, from the one family that was used
     * @param retryAfter  {@code Retry-After} as a delay (never negative), or null when absent or malformed
     */
    record Observation(List<PolicyFields> definitions, List<PolicyFields> current, Duration retryAfter) {

        /** Whether the response said nothing the filter can use. */
        boolean isEmpty() {
            return definitions.isEmpty() && current.isEmpty() && retryAfter == null;
        }
    }

    private RateLimitFields() {
    }

    /**
     * Reads a response's fields.
     *
     * @param headers         the field lines of a name, looked up case-insensitively by the caller; null when absent
     * @param readRetryAfter  whether to read {@code Retry-After} (it means "come back later" on a 429 or 503 only)
     * @param now             the receiving time, for HTTP-dates and epoch resets when the response has no
     *                        {@code Date}
     * @return what they say; empty when nothing usable
     */
    static Observation read(Function<String, List<String>> headers, boolean readRetryAfter, Instant now) {
        Instant serverNow = serverNow(headers.apply("Date"), now);
        List<PolicyFields> definitions = new ArrayList<>();
        PolicyFields unnamedDefinition = null;
        List<Member> policy = StructuredFields.parseList(headers.apply("RateLimit-Policy"));
        if (policy != null) {
            for (Member m : policy) {
                if (m.innerList() != null) {
                    continue;
                }
                String name = name(m.bareItem());
                long quota = StructuredFields.nonNegativeInteger(m.params().get("q"));
                long window = capped(StructuredFields.nonNegativeInteger(m.params().get("w")));
                if (window < 0 && m.params().containsKey("w")) {
                    continue; // a w that is no non-negative Integer makes the item malformed
                }
                if (name != null && quota >= 0) {
                    definitions.add(new PolicyFields(name, quota, window, unit(m.params().get("qu")), -1, -1));
                } else if (m.bareItem() instanceof Long && (Long) m.bareItem() >= 0 && unnamedDefinition == null) {
                    // draft-07: RateLimit-Policy: 100;w=60 (an Integer item, the unnamed policy's quota)
                    unnamedDefinition = new PolicyFields(RateLimitState.UNNAMED, (Long) m.bareItem(), window, null,
                            -1, -1);
                }
            }
        }

        List<PolicyFields> current = ietf(headers.apply("RateLimit"));
        if (current.isEmpty()) {
            PolicyFields draft07 = draft07(headers);
            if (draft07 == null) {
                draft07 = xRateLimit(headers, serverNow);
            }
            if (draft07 != null) {
                current = List.of(draft07);
            }
        }
        if (unnamedDefinition != null) {
            definitions.add(unnamedDefinition);
        }
        Duration retryAfter = readRetryAfter ? retryAfter(headers.apply("Retry-After"), serverNow, now) : null;
        return new Observation(Collections.unmodifiableList(definitions), current, retryAfter);
    }

    private static List<PolicyFields> ietf(List<String> lines) {
        List<Member> members = StructuredFields.parseList(lines);
        if (members == null) {
            return List.of();
        }
        List<PolicyFields> out = new ArrayList<>(members.size());
        for (Member m : members) {
            if (m.innerList() != null) {
                continue;
            }
            String name = name(m.bareItem());
            long remaining = StructuredFields.nonNegativeInteger(m.params().get("r"));
            long reset = capped(StructuredFields.nonNegativeInteger(m.params().get("t")));
            if (name == null || remaining < 0 || (reset < 0 && m.params().containsKey("t"))) {
                continue; // malformed items are ignored: no policy name, no valid r, an invalid t
            }
            out.add(new PolicyFields(name, -1, -1, null, remaining, reset));
        }
        // a policy reported twice is ambiguous (the draft forbids it): neither report is used
        out.removeIf(p -> count(out, p.name()) > 1);
        return Collections.unmodifiableList(out);
    }

    private static int count(List<PolicyFields> list, String name) {
        int n = 0;
        for (PolicyFields p : list) {
            if (p.name().equals(name)) {
                n++;
            }
        }
        return n;
    }

    /** draft-07: Integer items (parameters allowed and ignored), the first member of each field. */
    private static PolicyFields draft07(Function<String, List<String>> headers) {
        long remaining = firstInteger(headers.apply("RateLimit-Remaining"));
        if (remaining < 0) {
            return null;
        }
        return new PolicyFields(RateLimitState.UNNAMED, firstInteger(headers.apply("RateLimit-Limit")), -1, null,
                remaining, capped(firstInteger(headers.apply("RateLimit-Reset"))));
    }

    private static long firstInteger(List<String> lines) {
        List<Member> members = StructuredFields.parseList(lines);
        if (members == null || members.isEmpty() || members.get(0).innerList() != null) {
            return -1;
        }
        return StructuredFields.nonNegativeInteger(members.get(0).bareItem());
    }

    private static PolicyFields xRateLimit(Function<String, List<String>> headers, Instant serverNow) {
        long remaining = plainInteger(headers.apply("X-RateLimit-Remaining"));
        if (remaining < 0) {
            return null;
        }
        long reset = -1;
        String resetValue = single(headers.apply("X-RateLimit-Reset"));
        if (resetValue != null && DECIMAL.matcher(resetValue).matches()) {
            long seconds = new BigDecimal(resetValue).setScale(0, RoundingMode.CEILING).longValueExact();
            if (seconds > EPOCH_SECONDS_THRESHOLD) { // an instant: the delay from the server's now, rounded up
                seconds = Math.max(0, seconds - serverNow.getEpochSecond());
            }
            reset = capped(seconds);
        }
        return new PolicyFields(RateLimitState.UNNAMED, plainInteger(headers.apply("X-RateLimit-Limit")), -1, null,
                remaining, reset);
    }

    /** A plain non-negative integer; null, several values or anything else is -1. */
    private static long plainInteger(List<String> lines) {
        String v = single(lines);
        return v != null && DIGITS.matcher(v).matches() ? Long.parseLong(v) : -1;
    }

    /** The one value of a field, trimmed; null when absent or when the field has several different values. */
    private static String single(List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return null;
        }
        String first = lines.get(0).trim();
        for (String line : lines) {
            if (!line.trim().equals(first)) {
                return null;
            }
        }
        return first;
    }

    private static Duration retryAfter(List<String> lines, Instant serverNow, Instant now) {
        String v = single(lines);
        if (v == null) {
            return null;
        }
        if (DIGITS.matcher(v).matches()) {
            return Duration.ofSeconds(capped(Long.parseLong(v)));
        }
        Instant at = HttpDates.parse(v, now);
        if (at == null) {
            return null;
        }
        // relative to the server's own clock when it sent a Date, so a skewed client clock does not matter
        Duration d = Duration.between(serverNow, at);
        return d.isNegative() ? Duration.ZERO : d.compareTo(Duration.ofSeconds(MAX_SECONDS)) > 0
                ? Duration.ofSeconds(MAX_SECONDS) : d;
    }

    /** The response's {@code Date} when valid, else the client's receiving time. */
    private static Instant serverNow(List<String> date, Instant now) {
        Instant d = HttpDates.parse(single(date), now);
        return d != null ? d : now;
    }

    /** A policy name: an sf-string or (leniently, as earlier drafts used them) an sf-token. */
    private static String name(Object bareItem) {
        if (bareItem instanceof String) {
            return (String) bareItem;
        }
        if (bareItem instanceof Token) {
            return ((Token) bareItem).value();
        }
        return null;
    }

    private static String unit(Object bareItem) {
        return name(bareItem);
    }

    /** {@code seconds} capped at {@link #MAX_SECONDS}; -1 (unknown) stays -1. */
    private static long capped(long seconds) {
        return Math.min(seconds, MAX_SECONDS);
    }
}
