package dev.ratelimit.internal.http;

import dev.ratelimit.core.Decision;
import dev.ratelimit.internal.Durations;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.Store;
import java.util.Objects;

/**
 * The status and RFC 9457 {@code application/problem+json} body of a denied request, shared by both bindings, with
 * the problem types of draft-ietf-httpapi-ratelimit-headers (registered in IANA's HTTP Problem Types):
 * {@code 429 Too Many Requests} and {@value #QUOTA_EXCEEDED_TYPE} when a limit is exhausted;
 * {@code 503 Service Unavailable} and {@value #REDUCED_CAPACITY_TYPE} when Redis is failing and the fail-closed
 * policy refuses requests ({@link Store#NONE}). For example:
 *
 * <pre>{@code
 * {"type":"https://iana.org/assignments/http-problem-types#quota-exceeded",
 *  "title":"Request cannot be satisfied as assigned quota has been exceeded","status":429,
 *  "detail":"Rate limit \"search\" of 100 per 1m exceeded; retry in 7 s.","instance":"/api/search",
 *  "violated-policies":["search"],"retryAfter":7}
 * }</pre>
 *
 * {@code violated-policies} (the draft's extension member) names the policies, as in {@code RateLimit-Policy}, whose
 * quota the request exceeded: every rule that denied it; for the 503, every rule of the request, none of which could
 * be checked. {@code retryAfter}, our own extension member, repeats the {@code Retry-After} header in seconds. Send
 * the body encoded as UTF-8.
 */
public final class ProblemResponse {

    /** The problem type of a request over its limit. */
    public static final String QUOTA_EXCEEDED_TYPE = "https://iana.org/assignments/http-problem-types#quota-exceeded";
    /** The problem type of a request refused because the limiter's store is unavailable (fail-closed policy). */
    public static final String REDUCED_CAPACITY_TYPE =
            "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity";
    /** The draft's title of {@link #QUOTA_EXCEEDED_TYPE}. */
    static final String QUOTA_EXCEEDED_TITLE = "Request cannot be satisfied as assigned quota has been exceeded";
    /** The draft's title of {@link #REDUCED_CAPACITY_TYPE}. */
    static final String REDUCED_CAPACITY_TITLE =
            "Request cannot be satisfied due to temporary server capacity constraints";

    private static final String CONTENT_TYPE = "application/problem+json";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ProblemResponse() {
    }

    /**
     * The status of a denied decision: 429, or 503 when no store decided ({@link Store#NONE}, fail closed).
     *
     * @param decision the denied decision
     * @return 429 or 503
     * @throws IllegalArgumentException when the decision is allowed
     */
    public static int status(Decision decision) {
        requireDenied(decision);
        return decision.store() == Store.NONE ? 503 : 429;
    }

    /**
     * The media type of {@link #body(Decision, String)}.
     *
     * @return {@code application/problem+json}, without a charset parameter
     */
    public static String contentType() {
        return CONTENT_TYPE;
    }

    /**
     * The problem document of a denied decision.
     *
     * @param decision the denied decision
     * @param instance the request path, or null to leave {@code instance} out
     * @return the JSON document: {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance},
     *         {@code violated-policies} and {@code retryAfter} (seconds)
     * @throws IllegalArgumentException when the decision is allowed
     */
    public static String body(Decision decision, String instance) {
        requireDenied(decision);
        long retry = RateLimitHeaders.retryAfterSeconds(decision);
        boolean unavailable = decision.store() == Store.NONE;
        String detail;
        if (unavailable) {
            detail = "The rate limiter is temporarily unavailable; retry in " + retry + " s.";
        } else {
            RuleOutcome reported = decision.reported();
            detail = "Rate limit \"" + reported.rule().name() + "\" of " + reported.rule().limit() + " per "
                    + Durations.format(reported.rule().window()) + " exceeded; retry in " + retry + " s.";
        }
        StringBuilder json = new StringBuilder(256);
        json.append("{\"type\":");
        string(json, unavailable ? REDUCED_CAPACITY_TYPE : QUOTA_EXCEEDED_TYPE);
        json.append(",\"title\":");
        string(json, unavailable ? REDUCED_CAPACITY_TITLE : QUOTA_EXCEEDED_TITLE);
        json.append(",\"status\":").append(unavailable ? 503 : 429);
        json.append(",\"detail\":");
        string(json, detail);
        if (instance != null) {
            json.append(",\"instance\":");
            string(json, instance);
        }
        json.append(",\"violated-policies\":[");
        boolean first = true;
        for (RuleOutcome outcome : decision.limits()) {
            if (unavailable || !outcome.allowed()) {
                if (!first) {
                    json.append(',');
                }
                string(json, outcome.rule().name());
                first = false;
            }
        }
        json.append("],\"retryAfter\":").append(retry).append('}');
        return json.toString();
    }

    private static void requireDenied(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        if (decision.allowed()) {
            throw new IllegalArgumentException("the decision is allowed; only a denial has a problem response");
        }
    }

    /**
     * Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped, as are U+2028/U+2029
     * (for JavaScript consumers) and unpaired surrogates (which UTF-8 cannot encode); other text stays as it is.
     */
    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
