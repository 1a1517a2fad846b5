package dev.ratelimit.internal.http;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The response headers for a {@link Decision}, in the chosen {@link HeaderStyle}; both bindings add exactly these.
 *
 * <ul>
 *   <li>{@link HeaderStyle#IETF} (draft-ietf-httpapi-ratelimit-headers-10/-11): {@code RateLimit-Policy} lists every
 *       rule of the decision, e.g. {@code "search";q=100;w=60, "burst";q=10;w=1}, and {@code RateLimit} reports the
 *       most restrictive one ({@link Decision#reported()}), e.g. {@code "search";r=42;t=17}. {@code t} is the draft's
 *       effective window, the seconds within which the client can take no more than {@code r} (see
 *       {@link #effectiveWindowSeconds}): on a denial the rule's retry-after, so {@code Retry-After} is never earlier
 *       than its end. {@code w} is a whole number of seconds: a window that is not is advertised over a whole-second
 *       multiple of it when one is close (see {@link #policyItem}), else without {@code w}. {@code qu} is never sent:
 *       every quota counts requests (a rule's cost takes that many), the draft's default unit. {@code pk}, when
 *       partition keys are on, is a keyed hash of the rule's client key ({@link PartitionKeys});</li>
 *   <li>{@link HeaderStyle#LEGACY}: {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining} and
 *       {@code X-RateLimit-Reset} (seconds until the full limit is back) of that same rule;</li>
 *   <li>{@code Retry-After} (seconds, rounded up, at least 1) on every denial, whatever the style.</li>
 * </ul>
 * Times are whole seconds rounded up, so a client that waits that long is never early. A decision made by no store
 * ({@link Store#NONE}: Redis failing under an ALLOW or DENY policy) counted nothing, so it gets no quota headers,
 * only {@code Retry-After} when denied.
 *
 * <p>These headers describe one client's quota, so a response that carries any of them must not be stored by a shared
 * cache and served to other clients: the bindings also set {@link #CACHE_CONTROL} to {@link #cacheControl(String)} of
 * the response's own value, which adds {@code private}.
 */
public final class RateLimitHeaders {

    /** {@code RateLimit-Policy}: every rule's quota and window. */
    public static final String RATELIMIT_POLICY = "RateLimit-Policy";
    /** {@code RateLimit}: the most restrictive rule's remaining permits and reset. */
    public static final String RATELIMIT = "RateLimit";
    /** {@code X-RateLimit-Limit}. */
    public static final String X_RATELIMIT_LIMIT = "X-RateLimit-Limit";
    /** {@code X-RateLimit-Remaining}. */
    public static final String X_RATELIMIT_REMAINING = "X-RateLimit-Remaining";
    /** {@code X-RateLimit-Reset}: delta seconds. */
    public static final String X_RATELIMIT_RESET = "X-RateLimit-Reset";
    /** {@code Retry-After}: delta seconds. */
    public static final String RETRY_AFTER = "Retry-After";
    /** {@code Cache-Control}: made {@code private} on responses that carry rate-limit headers. */
    public static final String CACHE_CONTROL = "Cache-Control";

    private RateLimitHeaders() {
    }

    /**
     * One response header.
     *
     * @param name  the header name, e.g. {@code RateLimit}
     * @param value the header value, ready to send
     */
    public record Header(String name, String value) {

        /**
         * Checks that both parts are present.
         *
         * @param name  the header name, not null
         * @param value the header value, not null
         * @throws NullPointerException when either is null
         */
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * The headers to set on the response, in a fixed order: {@code RateLimit-Policy}, {@code RateLimit}, the
     * {@code X-RateLimit-*} headers, {@code Retry-After}. Each name appears once.
     *
     * @param decision the decision
     * @param style    which rate-limit headers to emit; null means {@link HeaderStyle#BOTH}
     * @return an unmodifiable list, empty for an allowed decision with {@link HeaderStyle#NONE}
     */
    public static List<Header> of(Decision decision, HeaderStyle style) {
        return of(decision, style, !decision.allowed());
    }

    /**
     * The headers of a response that answers {@code decision} by refusing the request or not: {@code Retry-After}
     * only when it does (in shadow mode a denied request is let through, without it).
     *
     * @param decision the decision
     * @param style    which rate-limit headers to emit; null means {@link HeaderStyle#BOTH}
     * @param refused  whether the response refuses the request
     * @return an unmodifiable list, in the order of {@link #of(Decision, HeaderStyle)}
     */
    public static List<Header> of(Decision decision, HeaderStyle style, boolean refused) {
        return of(decision, style, refused, null);
    }

    /**
     * The headers of a response, as {@link #of(Decision, HeaderStyle, boolean)}, with each rule's {@code pk}.
     *
     * @param decision      the decision
     * @param style         which rate-limit headers to emit; null means {@link HeaderStyle#BOTH}
     * @param refused       whether the response refuses the request
     * @param partitionKeys the {@code pk} value ({@link PartitionKeys#of}) of each rule of {@link Decision#limits()},
     *                      in its order; null to send no {@code pk}
     * @return an unmodifiable list, in the order of {@link #of(Decision, HeaderStyle)}
     * @throws IllegalArgumentException when {@code partitionKeys} does not have one value per rule
     */
    public static List<Header> of(Decision decision, HeaderStyle style, boolean refused, List<String> partitionKeys) {
        Objects.requireNonNull(decision, "decision");
        HeaderStyle s = style == null ? HeaderStyle.BOTH : style;
        boolean counted = decision.store() != Store.NONE;
        boolean ietf = counted && (s == HeaderStyle.IETF || s == HeaderStyle.BOTH);
        boolean legacy = counted && (s == HeaderStyle.LEGACY || s == HeaderStyle.BOTH);
        List<Header> headers = new ArrayList<>((ietf ? 2 : 0) + (legacy ? 3 : 0) + 1);
        RuleOutcome reported = decision.reported();
        String remaining = Long.toString(reported.remaining());
        String reset = Long.toString(ceilSeconds(reported.resetMicros()));
        if (ietf) {
            List<RuleOutcome> limits = decision.limits();
            if (partitionKeys != null && partitionKeys.size() != limits.size()) {
                throw new IllegalArgumentException(partitionKeys.size() + " partition keys for " + limits.size()
                        + " rules");
            }
            headers.add(new Header(RATELIMIT_POLICY, policy(limits, partitionKeys)));
            StringBuilder limit = new StringBuilder(48).append('"').append(reported.rule().name()).append("\";r=")
                    .append(remaining).append(";t=").append(effectiveWindowSeconds(reported));
            if (partitionKeys != null) {
                limit.append(";pk=").append(partitionKeys.get(indexOf(limits, reported)));
            }
            headers.add(new Header(RATELIMIT, limit.toString()));
        }
        if (legacy) {
            headers.add(new Header(X_RATELIMIT_LIMIT, Long.toString(reported.rule().limit())));
            headers.add(new Header(X_RATELIMIT_REMAINING, remaining));
            headers.add(new Header(X_RATELIMIT_RESET, reset));
        }
        if (refused) {
            headers.add(new Header(RETRY_AFTER, Long.toString(retryAfterSeconds(decision))));
        }
        return Collections.unmodifiableList(headers);
    }

    /**
     * The {@code Cache-Control} value for a response that carries rate-limit headers (any of {@link #of}'s, including a
     * lone {@code Retry-After}): they are one client's, so no shared cache may serve the response to another client.
     * Adds {@code private} to the response's own directives and keeps every other one as it was ({@code no-store},
     * {@code no-cache}, {@code max-age=60}, extensions…); drops {@code public}, which would contradict it; and widens a
     * {@code private} limited to some fields ({@code private="Set-Cookie"}) to the whole response. A private cache (the
     * client's own) may still store the response as its directives allow.
     *
     * @param existing the response's own {@code Cache-Control} (several field lines joined with commas), or null
     * @return the value to set: {@code private} when the response had none; {@code existing} itself when it already is
     *         private as a whole and not public; else its directives without {@code public} followed by
     *         {@code private}, e.g. {@code no-store, private}
     */
    public static String cacheControl(String existing) {
        if (existing == null || existing.isBlank()) {
            return "private";
        }
        StringBuilder kept = new StringBuilder(existing.length() + 9);
        boolean changed = false;
        boolean wholePrivate = false;
        for (String directive : directives(existing)) {
            int equals = directive.indexOf('=');
            String name = (equals < 0 ? directive : directive.substring(0, equals)).trim();
            if (directive.isEmpty() || name.equalsIgnoreCase("public")
                    || (name.equalsIgnoreCase("private") && equals >= 0)) {
                changed = true;
                continue;
            }
            wholePrivate |= name.equalsIgnoreCase("private");
            if (kept.length() > 0) {
                kept.append(", ");
            }
            kept.append(directive);
        }
        if (wholePrivate) {
            return changed ? kept.toString() : existing;
        }
        return kept.length() == 0 ? "private" : kept.append(", private").toString();
    }

    /** The comma-separated directives of a {@code Cache-Control} value, trimmed; commas in quoted strings do not split. */
    private static List<String> directives(String value) {
        List<String> directives = new ArrayList<>(4);
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++; // quoted-pair: the next character is literal
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                directives.add(value.substring(start, i).trim());
                start = i + 1;
            }
        }
        directives.add(value.substring(start).trim());
        return directives;
    }

    /** {@link Decision#retryAfterSeconds()}, at least 1 for a denial. */
    static long retryAfterSeconds(Decision decision) {
        return Math.max(1, decision.retryAfterSeconds());
    }

    /**
     * The {@code t} of the {@code RateLimit} field for one rule's outcome: the draft's effective window, the seconds
     * within which the client can take no more than the {@code r} it is told, rounded up to whole seconds.
     * <ul>
     *   <li>denied: the rule's retry-after ({@link RuleOutcome#retryMicros()}), so the decision's {@code Retry-After}
     *       (the longest retry-after of its rules) is never earlier than the end of the effective window;</li>
     *   <li>allowed with the whole limit left ({@code r} equals the limit): the rule's window;</li>
     *   <li>allowed: the time until more than {@code r} permits are available ({@link RuleOutcome#nextMicros()}):
     *       the end of the current window for {@code FIXED_WINDOW}; the expiry of the oldest entry still counted
     *       for {@code SLIDING_WINDOW_LOG}; the next refilled token for {@code TOKEN_BUCKET} and the next emission
     *       for {@code GCRA}; for {@code SLIDING_WINDOW_COUNTER} the moment the previous window's weighted count drops
     *       by one, or (when it weighs nothing) just after the end of the current window. An outcome that does not
     *       know it (0) falls back to the time until the full limit is back.</li>
     * </ul>
     *
     * @param outcome the reported rule's outcome
     * @return whole seconds, at least 1 unless the outcome was allowed with nothing to wait for and a zero reset
     */
    static long effectiveWindowSeconds(RuleOutcome outcome) {
        if (!outcome.allowed()) {
            return Math.max(1, ceilSeconds(outcome.retryMicros()));
        }
        if (outcome.remaining() >= outcome.rule().limit()) {
            return ceilSeconds(outcome.rule().windowMicros());
        }
        long next = outcome.nextMicros();
        return ceilSeconds(next > 0 ? next : outcome.resetMicros());
    }

    /** The position of {@code outcome} itself in {@code limits} (two rules' outcomes may be equal). */
    private static int indexOf(List<RuleOutcome> limits, RuleOutcome outcome) {
        for (int i = 0; i < limits.size(); i++) {
            if (limits.get(i) == outcome) {
                return i;
            }
        }
        return limits.indexOf(outcome);
    }

    private static String policy(List<RuleOutcome> limits, List<String> partitionKeys) {
        StringBuilder sb = new StringBuilder(40 * limits.size());
        for (int i = 0; i < limits.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            policyItem(sb, limits.get(i).rule());
            if (partitionKeys != null) {
                sb.append(";pk=").append(partitionKeys.get(i));
            }
        }
        return sb.toString();
    }

    /** The largest Integer a Structured Field may hold (RFC 9651, section 3.3.1): 15 digits. */
    private static final long SF_INTEGER_MAX = 999_999_999_999_999L;

    /**
     * One rule as a {@code RateLimit-Policy} item, e.g. {@code "search";q=100;w=60}. The draft's {@code w} is whole
     * seconds, so a window that is not whole seconds is advertised, when exact, over the shortest whole-second
     * multiple of it that is at most one second or two windows, with the quota scaled alike ({@code q} per {@code w}
     * is the same rate, and holds for the sliding log exactly): 5 per 500 ms as {@code q=10;w=1}, 3 per 250 ms as
     * {@code q=12;w=1}, 3 per 1500 ms as {@code q=6;w=3}. Any other window (3 per 700 ms, 3 per 1250 ms) is sent
     * without {@code w}: only {@code q}, the rule's limit, and no misleading window.
     */
    static StringBuilder policyItem(StringBuilder sb, RateLimitRule rule) {
        // rule names are visible ASCII without '"' or '\', so they need no escaping as sf-strings
        sb.append('"').append(rule.name()).append("\";q=");
        long window = rule.windowMicros();
        long limit = rule.limit();
        long second = 1_000_000L;
        long times;
        if (window % second == 0) {
            times = 1;
        } else if (window < second && second % window == 0) {
            times = second / window;
        } else if ((2 * window) % second == 0) {
            times = 2;
        } else {
            times = 0;
        }
        if (times == 0 || limit > SF_INTEGER_MAX / times) {
            return sb.append(limit);
        }
        return sb.append(limit * times).append(";w=").append(window * times / second);
    }

    static long ceilSeconds(long micros) {
        return micros / 1_000_000L + (micros % 1_000_000L == 0 ? 0 : 1);
    }
}
