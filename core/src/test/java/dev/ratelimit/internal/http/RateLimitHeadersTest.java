package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.internal.http.RateLimitHeaders.Header;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

    private final RateLimitRule search = RateLimitRule.custom().name("search").limit(100).window("1m").build();
    private final RateLimitRule burst = RateLimitRule.custom().name("burst").limit(10).window("1500ms").build();
    private final RateLimitRule hourly = RateLimitRule.custom().name("hourly").limit(1000).window("1h").cost(5).build();

    private static Header h(String name, String value) {
        return new Header(name, value);
    }

    /** {@code t} is the time until more than {@code r} is available; X-RateLimit-Reset the time until full. */
    @Test
    void singleRuleAllowedInEachStyle() {
        Decision d = Decision.of(Store.REDIS, List.of(new RuleOutcome(search, true, 42, 16_000_001, 0, 1_400_000)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"search\";q=100;w=60"),
                h("RateLimit", "\"search\";r=42;t=2"),
                h("X-RateLimit-Limit", "100"),
                h("X-RateLimit-Remaining", "42"),
                h("X-RateLimit-Reset", "17"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.IETF)).containsExactly(
                h("RateLimit-Policy", "\"search\";q=100;w=60"),
                h("RateLimit", "\"search\";r=42;t=2"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.LEGACY)).containsExactly(
                h("X-RateLimit-Limit", "100"),
                h("X-RateLimit-Remaining", "42"),
                h("X-RateLimit-Reset", "17"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.NONE)).isEmpty();
        assertThat(RateLimitHeaders.of(d, null)).isEqualTo(RateLimitHeaders.of(d, HeaderStyle.BOTH));
    }

    /** The whole quota left: no more than all of it within a window; full already, so X-RateLimit-Reset is 0. */
    @Test
    void fullLimitAdvertisesTheWindowAndResetsInZeroSeconds() {
        Decision d = Decision.of(Store.MEMORY, List.of(new RuleOutcome(search, true, 100, 0, 0)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"search\";q=100;w=60"),
                h("RateLimit", "\"search\";r=100;t=60"),
                h("X-RateLimit-Limit", "100"),
                h("X-RateLimit-Remaining", "100"),
                h("X-RateLimit-Reset", "0"));
    }

    @Test
    void multiRuleListsEveryPolicyAndReportsTheMostRestrictive() {
        Decision d = Decision.of(Store.REDIS, List.of(
                new RuleOutcome(burst, true, 3, 1_050_000, 0, 150_000),
                new RuleOutcome(hourly, true, 500, 1_800_000_000L, 0, 7_200_000)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"burst\";q=20;w=3, \"hourly\";q=1000;w=3600"),
                h("RateLimit", "\"burst\";r=3;t=1"),
                h("X-RateLimit-Limit", "10"),
                h("X-RateLimit-Remaining", "3"),
                h("X-RateLimit-Reset", "2"));
    }

    @Test
    void deniedAddsRetryAfterRoundedUp() {
        Decision d = Decision.of(Store.FALLBACK, List.of(
                new RuleOutcome(burst, true, 7, 400_000, 0),
                new RuleOutcome(hourly, false, 2, 3_599_000_000L, 1_000_001)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"burst\";q=20;w=3, \"hourly\";q=1000;w=3600"),
                h("RateLimit", "\"hourly\";r=2;t=2"),
                h("X-RateLimit-Limit", "1000"),
                h("X-RateLimit-Remaining", "2"),
                h("X-RateLimit-Reset", "3599"),
                h("Retry-After", "2"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.NONE)).containsExactly(h("Retry-After", "2"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.IETF)).containsExactly(
                h("RateLimit-Policy", "\"burst\";q=20;w=3, \"hourly\";q=1000;w=3600"),
                h("RateLimit", "\"hourly\";r=2;t=2"),
                h("Retry-After", "2"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.LEGACY)).containsExactly(
                h("X-RateLimit-Limit", "1000"),
                h("X-RateLimit-Remaining", "2"),
                h("X-RateLimit-Reset", "3599"),
                h("Retry-After", "2"));
    }

    /** A denial's t is its retry-after: Retry-After never points before the end of the effective window. */
    @Test
    void aDenialsEffectiveWindowIsItsRetryAfter() {
        RateLimitRule bucket = RateLimitRule.custom().name("b").limit(5).window("10s")
                .algorithm(dev.ratelimit.core.Algorithm.TOKEN_BUCKET).build();
        Decision d = Decision.of(Store.REDIS, List.of(new RuleOutcome(bucket, false, 0, 10_000_000, 1_500_000)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"b\";q=5;w=10"),
                h("RateLimit", "\"b\";r=0;t=2"),
                h("X-RateLimit-Limit", "5"),
                h("X-RateLimit-Remaining", "0"),
                h("X-RateLimit-Reset", "10"),
                h("Retry-After", "2"));
    }

    /** w is whole seconds: scaled when a close whole-second multiple of the window exists, else left out. */
    @Test
    void windowsThatAreNotWholeSecondsAreScaledWhenExactElseSentWithoutW() {
        assertThat(policy(5, "500ms")).isEqualTo("\"r\";q=10;w=1");
        assertThat(policy(3, "250ms")).isEqualTo("\"r\";q=12;w=1");
        assertThat(policy(1, "1ms")).isEqualTo("\"r\";q=1000;w=1");
        assertThat(policy(3, "700ms")).isEqualTo("\"r\";q=3");
        assertThat(policy(3, "400ms")).isEqualTo("\"r\";q=3");
        assertThat(policy(3, "1500ms")).isEqualTo("\"r\";q=6;w=3");
        assertThat(policy(3, "2500ms")).isEqualTo("\"r\";q=6;w=5");
        assertThat(policy(3, "1250ms")).isEqualTo("\"r\";q=3");
        assertThat(policy(7, "2s")).isEqualTo("\"r\";q=7;w=2");
        assertThat(policy(Integer.MAX_VALUE, "366d")).isEqualTo("\"r\";q=2147483647;w=31622400");
    }

    private static String policy(long limit, String window) {
        RateLimitRule rule = RateLimitRule.custom().name("r").limit(limit).window(window).build();
        return RateLimitHeaders.policyItem(new StringBuilder(), rule).toString();
    }

    /** pk: one keyed hash per rule, on the policy items and on the reported rule; never the key itself. */
    @Test
    void partitionKeysAreSentPerRule() {
        Decision d = Decision.of(Store.REDIS, List.of(
                new RuleOutcome(burst, true, 3, 1_050_000, 0, 150_000),
                new RuleOutcome(hourly, true, 500, 1_800_000_000L, 0, 7_200_000)));
        PartitionKeys keys = PartitionKeys.withSecret("0123456789abcdef0123456789abcdef");
        String a = keys.of("203.0.113.7");
        String b = keys.of("alice");
        assertThat(a).matches(":[A-Za-z0-9+/]{22}==:").isNotEqualTo(b).isEqualTo(keys.of("203.0.113.7"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.IETF, false, List.of(a, b))).containsExactly(
                h("RateLimit-Policy", "\"burst\";q=20;w=3;pk=" + a + ", \"hourly\";q=1000;w=3600;pk=" + b),
                h("RateLimit", "\"burst\";r=3;t=1;pk=" + a));
        assertThat(PartitionKeys.withSecret("another secret, 32 bytes long!!!").of("203.0.113.7")).isNotEqualTo(a);
        assertThat(PartitionKeys.randomSecret().of("alice")).isNotEqualTo(b)
                .isEqualTo(PartitionKeys.randomSecret().of("alice"));
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        Decision tiny = Decision.of(Store.REDIS, List.of(new RuleOutcome(search, false, 0, 1, 1)));
        assertThat(RateLimitHeaders.of(tiny, HeaderStyle.NONE)).containsExactly(h("Retry-After", "1"));
        Decision exact = Decision.of(Store.REDIS, List.of(new RuleOutcome(search, false, 0, 3_000_000, 3_000_000)));
        assertThat(RateLimitHeaders.of(exact, HeaderStyle.NONE)).containsExactly(h("Retry-After", "3"));
    }

    @Test
    void noStoreMeansNoQuotaHeaders() {
        Decision failClosed = Decision.of(Store.NONE, List.of(new RuleOutcome(search, false, 0, 0, 5_000_000)));
        assertThat(RateLimitHeaders.of(failClosed, HeaderStyle.BOTH)).containsExactly(h("Retry-After", "5"));
        Decision failOpen = Decision.of(Store.NONE, List.of(new RuleOutcome(search, true, 100, 0, 0)));
        assertThat(RateLimitHeaders.of(failOpen, HeaderStyle.BOTH)).isEmpty();
    }

    @Test
    void cacheControlAddsPrivateAndKeepsTheResponsesOwnDirectives() {
        assertThat(RateLimitHeaders.cacheControl(null)).isEqualTo("private");
        assertThat(RateLimitHeaders.cacheControl(" ")).isEqualTo("private");
        assertThat(RateLimitHeaders.cacheControl("no-store")).isEqualTo("no-store, private");
        assertThat(RateLimitHeaders.cacheControl("no-cache, max-age=0, must-revalidate"))
                .isEqualTo("no-cache, max-age=0, must-revalidate, private");
        assertThat(RateLimitHeaders.cacheControl("private, max-age=5")).isEqualTo("private, max-age=5");
        assertThat(RateLimitHeaders.cacheControl("PRIVATE")).isEqualTo("PRIVATE");
    }

    @Test
    void cacheControlDropsPublicAndWidensAFieldLimitedPrivate() {
        assertThat(RateLimitHeaders.cacheControl("public, max-age=60")).isEqualTo("max-age=60, private");
        assertThat(RateLimitHeaders.cacheControl("Public")).isEqualTo("private");
        assertThat(RateLimitHeaders.cacheControl("private=\"Set-Cookie, X-Token\", max-age=60"))
                .as("a comma inside a quoted string does not split").isEqualTo("max-age=60, private");
        assertThat(RateLimitHeaders.cacheControl("no-cache=\"Set-Cookie\", private, public"))
                .isEqualTo("no-cache=\"Set-Cookie\", private");
        assertThat(RateLimitHeaders.cacheControl("max-age=60,,")).isEqualTo("max-age=60, private");
    }
}
