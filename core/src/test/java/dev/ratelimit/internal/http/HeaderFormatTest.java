package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.Store;
import dev.ratelimit.internal.http.HeaderFormat.Draft;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderFormatTest {

    private final RateLimitRule minute = RateLimitRule.custom().name("minute").limit(100).window("1m").build();
    private final RateLimitRule second = RateLimitRule.custom().name("second").limit(10).window("1s").build();
    private final Decision allowed = Decision.of(Store.REDIS, List.of(new RuleOutcome(minute, true, 42, 17_000_000, 0),
            new RuleOutcome(second, true, 9, 100_000, 0)));
    private final Decision denied = Decision.of(Store.REDIS, List.of(new RuleOutcome(minute, false, 0, 30_000_000,
            600_000), new RuleOutcome(second, true, 9, 100_000, 0)));

    private static Map<String, String> map(List<RateLimitHeaders.Header> headers) {
        Map<String, String> m = new LinkedHashMap<>();
        headers.forEach(h -> assertThat(m.put(h.name(), h.value())).as("each name once: " + h.name()).isNull());
        return m;
    }

    @Test
    void theUsualFormatIsExactlyRateLimitHeadersOf() {
        for (HeaderStyle style : HeaderStyle.values()) {
            for (boolean refused : new boolean[] {false, true}) {
                assertThat(HeaderFormat.of(style).of(denied, refused, null))
                        .isEqualTo(RateLimitHeaders.of(denied, style, refused));
                assertThat(HeaderFormat.of(style).of(allowed, refused, null))
                        .isEqualTo(RateLimitHeaders.of(allowed, style, refused));
            }
        }
    }

    @Test
    void draft06SendsTheThreeSeparateFieldsAndIntegerPolicies() {
        Map<String, String> h = map(new HeaderFormat(HeaderStyle.IETF, Draft.DRAFT_06, "X-RateLimit-", 100)
                .of(denied, true, null));
        assertThat(h).containsExactly(Map.entry("RateLimit-Policy", "100;w=60, 10;w=1"),
                Map.entry("RateLimit-Limit", "100"), Map.entry("RateLimit-Remaining", "0"),
                Map.entry("RateLimit-Reset", "30"), Map.entry("Retry-After", "1"));
    }

    @Test
    void draft07SendsOneDictionaryFieldForTheMostRestrictiveRule() {
        Map<String, String> h = map(new HeaderFormat(HeaderStyle.BOTH, Draft.DRAFT_07, "X-RateLimit-", 100)
                .of(allowed, false, null));
        assertThat(h).containsExactly(Map.entry("RateLimit-Policy", "100;w=60, 10;w=1"),
                Map.entry("RateLimit", "limit=10, remaining=9, reset=1"), Map.entry("X-RateLimit-Limit", "10"),
                Map.entry("X-RateLimit-Remaining", "9"), Map.entry("X-RateLimit-Reset", "1"));
    }

    @Test
    void theLegacyPrefixRenamesOnlyTheLegacyFields() {
        Map<String, String> h = map(new HeaderFormat(HeaderStyle.BOTH, Draft.DRAFT_11, "RateLimit-", 100)
                .of(denied, true, null));
        assertThat(h).containsOnlyKeys("RateLimit-Policy", "RateLimit", "RateLimit-Limit", "RateLimit-Remaining",
                "RateLimit-Reset", "Retry-After");
        assertThat(h.get("RateLimit-Reset")).isEqualTo("30");
        assertThat(map(new HeaderFormat(HeaderStyle.LEGACY, Draft.DRAFT_06, "RateLimit-", 100).of(allowed, false, null)))
                .as("gateway style: the old names, once").containsOnlyKeys("RateLimit-Limit", "RateLimit-Remaining",
                        "RateLimit-Reset");
    }

    @Test
    void draft06FieldsAndTheRateLimitPrefixTogetherWouldRepeatNamesAndAreRefused() {
        assertThatThrownBy(() -> new HeaderFormat(HeaderStyle.BOTH, Draft.DRAFT_06, "ratelimit-", 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "X-RateLimit", "X RateLimit-", "X-Rate\r\nLimit-", "é-", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-"})
    void aPrefixIsTokenCharactersEndingInADash(String prefix) {
        assertThatThrownBy(() -> new HeaderFormat(HeaderStyle.LEGACY, Draft.DRAFT_11, prefix, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
    }

    @Test
    void belowTheThresholdOnlyResponsesNearExhaustionAndDenialsCarryTheHeaders() {
        HeaderFormat quarter = new HeaderFormat(HeaderStyle.BOTH, Draft.DRAFT_11, "X-RateLimit-", 25);
        Decision roomy = Decision.of(Store.REDIS, List.of(new RuleOutcome(minute, true, 42, 17_000_000, 0)));
        assertThat(quarter.of(roomy, false, null)).as("42 of 100 left: above 25 %").isEmpty();
        Decision at = Decision.of(Store.REDIS, List.of(new RuleOutcome(minute, true, 25, 1_000_000, 0)));
        assertThat(quarter.of(at, false, null)).as("25 of 100 left: at the threshold").isNotEmpty();
        assertThat(quarter.of(denied, true, null)).extracting(RateLimitHeaders.Header::name).contains("Retry-After");
        assertThat(quarter.of(denied, false, null)).as("a shadow-mode denial is reported too").isNotEmpty();
        HeaderFormat exhaustedOnly = new HeaderFormat(HeaderStyle.BOTH, Draft.DRAFT_11, "X-RateLimit-", 0);
        assertThat(exhaustedOnly.of(at, false, null)).isEmpty();
        Decision last = Decision.of(Store.REDIS, List.of(new RuleOutcome(minute, true, 0, 1_000_000, 0)));
        assertThat(exhaustedOnly.of(last, false, null)).as("the last permit: nothing left").isNotEmpty();
        RateLimitRule huge = RateLimitRule.custom().name("huge").limit(RateLimitRule.MAX_LIMIT).window("1d").build();
        Decision big = Decision.of(Store.REDIS, List.of(new RuleOutcome(huge, true, RateLimitRule.MAX_LIMIT - 1, 1,
                0)));
        assertThat(new HeaderFormat(HeaderStyle.BOTH, Draft.DRAFT_11, "X-RateLimit-", 99).of(big, false, null))
                .as("no overflow at the largest limit").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 101})
    void theThresholdIsAPercentage(int threshold) {
        assertThatThrownBy(() -> new HeaderFormat(HeaderStyle.BOTH, Draft.DRAFT_11, "X-RateLimit-", threshold))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDecisionNoStoreMadeHasNoQuotaFieldsInAnyDraft() {
        Decision none = Decision.of(Store.NONE, List.of(new RuleOutcome(minute, false, 0, 0, 5_000_000)));
        for (Draft draft : Draft.values()) {
            assertThat(map(new HeaderFormat(HeaderStyle.BOTH, draft, "X-RateLimit-", 100).of(none, true, null)))
                    .containsOnlyKeys("Retry-After");
        }
    }
}
