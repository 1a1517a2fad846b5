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

    @Test
    void singleRuleAllowedInEachStyle() {
        Decision d = Decision.of(Store.REDIS, List.of(new RuleOutcome(search, true, 42, 16_000_001, 0)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"search\";q=100;w=60"),
                h("RateLimit", "\"search\";r=42;t=17"),
                h("X-RateLimit-Limit", "100"),
                h("X-RateLimit-Remaining", "42"),
                h("X-RateLimit-Reset", "17"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.IETF)).containsExactly(
                h("RateLimit-Policy", "\"search\";q=100;w=60"),
                h("RateLimit", "\"search\";r=42;t=17"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.LEGACY)).containsExactly(
                h("X-RateLimit-Limit", "100"),
                h("X-RateLimit-Remaining", "42"),
                h("X-RateLimit-Reset", "17"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.NONE)).isEmpty();
        assertThat(RateLimitHeaders.of(d, null)).isEqualTo(RateLimitHeaders.of(d, HeaderStyle.BOTH));
    }

    @Test
    void fullLimitResetsInZeroSeconds() {
        Decision d = Decision.of(Store.MEMORY, List.of(new RuleOutcome(search, true, 100, 0, 0)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"search\";q=100;w=60"),
                h("RateLimit", "\"search\";r=100;t=0"),
                h("X-RateLimit-Limit", "100"),
                h("X-RateLimit-Remaining", "100"),
                h("X-RateLimit-Reset", "0"));
    }

    @Test
    void multiRuleListsEveryPolicyAndReportsTheMostRestrictive() {
        Decision d = Decision.of(Store.REDIS, List.of(
                new RuleOutcome(burst, true, 3, 1_050_000, 0),
                new RuleOutcome(hourly, true, 500, 1_800_000_000L, 0)));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.BOTH)).containsExactly(
                h("RateLimit-Policy", "\"burst\";q=10;w=2, \"hourly\";q=1000;w=3600"),
                h("RateLimit", "\"burst\";r=3;t=2"),
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
                h("RateLimit-Policy", "\"burst\";q=10;w=2, \"hourly\";q=1000;w=3600"),
                h("RateLimit", "\"hourly\";r=2;t=3599"),
                h("X-RateLimit-Limit", "1000"),
                h("X-RateLimit-Remaining", "2"),
                h("X-RateLimit-Reset", "3599"),
                h("Retry-After", "2"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.NONE)).containsExactly(h("Retry-After", "2"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.IETF)).containsExactly(
                h("RateLimit-Policy", "\"burst\";q=10;w=2, \"hourly\";q=1000;w=3600"),
                h("RateLimit", "\"hourly\";r=2;t=3599"),
                h("Retry-After", "2"));
        assertThat(RateLimitHeaders.of(d, HeaderStyle.LEGACY)).containsExactly(
                h("X-RateLimit-Limit", "1000"),
                h("X-RateLimit-Remaining", "2"),
                h("X-RateLimit-Reset", "3599"),
                h("Retry-After", "2"));
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
