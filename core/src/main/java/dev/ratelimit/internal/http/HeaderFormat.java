package dev.ratelimit.internal.http;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.Store;
import dev.ratelimit.internal.HttpTokens;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The rate-limit headers as one deployment sends them: which families ({@link HeaderStyle}), which generation of the
 * IETF draft ({@link Draft}), the prefix of the legacy fields, and whether allowed responses carry them always or only
 * near exhaustion. Built once from the settings; {@link #of(Decision, boolean, List)} runs per request. Not API.
 */
public final class HeaderFormat {

    /** The legacy fields' usual prefix. */
    public static final String DEFAULT_LEGACY_PREFIX = "X-RateLimit-";

    /** The generation of draft-ietf-httpapi-ratelimit-headers the IETF fields follow. */
    public enum Draft {
        /** Drafts up to -06: {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset}. */
        DRAFT_06,
        /** Draft -07: {@code RateLimit: limit=100, remaining=42, reset=17} and {@code RateLimit-Policy: 100;w=60}. */
        DRAFT_07,
        /** Draft -08 and later (the current one): named policies, {@code RateLimit: "search";r=42;t=17}. */
        DRAFT_11;

        /** {@return the setting's value for this generation, e.g. {@code draft-07}} */
        public String settingValue() {
            return "draft-" + name().substring("DRAFT_".length());
        }
    }

    private final HeaderStyle style;
    private final Draft draft;
    private final String legacyPrefix;
    private final int thresholdPercent;
    private final String limitName;
    private final String remainingName;
    private final String resetName;

    /**
     * A format.
     *
     * @param style            which families to send
     * @param draft            the IETF fields' generation
     * @param legacyPrefix     the legacy fields' prefix, e.g. {@code X-RateLimit-} or {@code RateLimit-}: visible
     *                         token characters ending in {@code -}, at most 40
     * @param thresholdPercent allowed responses carry the headers only while the reported rule's remaining quota is at
     *                         most this percentage of its limit (0 to 100; 100: always); refusals and shadow-mode
     *                         denials always carry them
     * @throws IllegalArgumentException when a value is out of range, or when the legacy fields would repeat the names
     *                                  of the draft-06 fields
     */
    public HeaderFormat(HeaderStyle style, Draft draft, String legacyPrefix, int thresholdPercent) {
        this.style = Objects.requireNonNull(style, "style");
        this.draft = Objects.requireNonNull(draft, "draft");
        if (!HttpTokens.isToken(legacyPrefix) || legacyPrefix.length() < 2 || legacyPrefix.length() > 40
                || !legacyPrefix.endsWith("-")) {
            throw new IllegalArgumentException("the legacy header prefix must be 1 to 40 token characters ending in "
                    + "'-', such as X-RateLimit- or RateLimit-");
        }
        if (thresholdPercent < 0 || thresholdPercent > 100) {
            throw new IllegalArgumentException("the threshold is a percentage of the limit, 0 to 100, was "
                    + thresholdPercent);
        }
        if (style == HeaderStyle.BOTH && draft == Draft.DRAFT_06 && legacyPrefix.equalsIgnoreCase("RateLimit-")) {
            throw new IllegalArgumentException("the legacy prefix RateLimit- with the draft-06 fields would send "
                    + "RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset twice; send only the IETF fields");
        }
        this.legacyPrefix = legacyPrefix;
        this.thresholdPercent = thresholdPercent;
        this.limitName = legacyPrefix + "Limit";
        this.remainingName = legacyPrefix + "Remaining";
        this.resetName = legacyPrefix + "Reset";
    }

    /**
     * {@return the usual format of a style: the current draft, {@code X-RateLimit-}, on every response}
     *
     * @param style which families to send
     */
    public static HeaderFormat of(HeaderStyle style) {
        return new HeaderFormat(style, Draft.DRAFT_11, DEFAULT_LEGACY_PREFIX, 100);
    }

    /**
     * The settings that differ from the usual format, for the startup log.
     *
     * @param draftLabel     what precedes the draft, e.g. {@code ", headers.draft="}
     * @param prefixLabel    what precedes the legacy prefix
     * @param thresholdLabel what precedes the threshold
     * @return the labelled values that are not the defaults, or {@code ""}
     */
    public String describeChanges(String draftLabel, String prefixLabel, String thresholdLabel) {
        return (draft == Draft.DRAFT_11 ? "" : draftLabel + draft.settingValue())
                + (legacyPrefix.equals(DEFAULT_LEGACY_PREFIX) ? "" : prefixLabel + legacyPrefix)
                + (thresholdPercent == 100 ? "" : thresholdLabel + thresholdPercent);
    }

    /** {@return which families are sent} */
    public HeaderStyle style() {
        return style;
    }

    /**
     * The headers of a response that answers {@code decision}, refusing the request or not, in
     * {@link RateLimitHeaders}'s order: the IETF fields, the legacy ones, {@code Retry-After} (only when refused).
     *
     * @param decision      the decision
     * @param refused       whether the response refuses the request
     * @param partitionKeys the {@code pk} of each rule of the decision, in its order (draft-11 only); null for none
     * @return the headers; empty for an allowed decision above the threshold
     */
    public List<RateLimitHeaders.Header> of(Decision decision, boolean refused, List<String> partitionKeys) {
        if (decision.allowed() && thresholdPercent < 100 && !nearExhaustion(decision.reported())) {
            return List.of();
        }
        if (draft == Draft.DRAFT_11 && limitName.equals(RateLimitHeaders.X_RATELIMIT_LIMIT)) {
            return RateLimitHeaders.of(decision, style, refused, partitionKeys); // the usual case: no renaming
        }
        boolean ietf = style == HeaderStyle.IETF || style == HeaderStyle.BOTH;
        boolean legacy = style == HeaderStyle.LEGACY || style == HeaderStyle.BOTH;
        List<RateLimitHeaders.Header> standard = draft == Draft.DRAFT_11
                ? RateLimitHeaders.of(decision, style, refused, partitionKeys)
                : RateLimitHeaders.of(decision, legacy ? HeaderStyle.LEGACY : HeaderStyle.NONE, refused);
        List<RateLimitHeaders.Header> headers = new ArrayList<>(standard.size() + 3);
        if (ietf && draft != Draft.DRAFT_11 && decision.store() != Store.NONE) {
            addOlderDraft(decision, headers);
        }
        for (RateLimitHeaders.Header h : standard) {
            headers.add(renamed(h));
        }
        return Collections.unmodifiableList(headers);
    }

    private boolean nearExhaustion(RuleOutcome reported) {
        // remaining <= threshold% of the limit, without overflow (limits are at most 2^31 - 1)
        return reported.remaining() * 100 <= reported.rule().limit() * thresholdPercent;
    }

    /** The draft-06 or draft-07 fields of the reported rule, and the policy of every rule. */
    private void addOlderDraft(Decision decision, List<RateLimitHeaders.Header> headers) {
        RuleOutcome reported = decision.reported();
        long limit = reported.rule().limit();
        long reset = RateLimitHeaders.ceilSeconds(reported.resetMicros());
        StringBuilder policy = new StringBuilder();
        for (RuleOutcome o : decision.limits()) {
            if (policy.length() > 0) {
                policy.append(", ");
            }
            policy.append(o.rule().limit()).append(";w=")
                    .append(RateLimitHeaders.ceilSeconds(o.rule().windowMicros()));
        }
        headers.add(new RateLimitHeaders.Header(RateLimitHeaders.RATELIMIT_POLICY, policy.toString()));
        if (draft == Draft.DRAFT_07) {
            headers.add(new RateLimitHeaders.Header(RateLimitHeaders.RATELIMIT, "limit=" + limit + ", remaining="
                    + reported.remaining() + ", reset=" + reset));
        } else {
            headers.add(new RateLimitHeaders.Header("RateLimit-Limit", Long.toString(limit)));
            headers.add(new RateLimitHeaders.Header("RateLimit-Remaining", Long.toString(reported.remaining())));
            headers.add(new RateLimitHeaders.Header("RateLimit-Reset", Long.toString(reset)));
        }
    }

    private RateLimitHeaders.Header renamed(RateLimitHeaders.Header h) {
        switch (h.name()) {
            case RateLimitHeaders.X_RATELIMIT_LIMIT:
                return new RateLimitHeaders.Header(limitName, h.value());
            case RateLimitHeaders.X_RATELIMIT_REMAINING:
                return new RateLimitHeaders.Header(remainingName, h.value());
            case RateLimitHeaders.X_RATELIMIT_RESET:
                return new RateLimitHeaders.Header(resetName, h.value());
            default:
                return h;
        }
    }
}
