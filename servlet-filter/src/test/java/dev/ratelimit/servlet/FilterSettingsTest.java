package dev.ratelimit.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.bindingcontract.TenantKeyResolver;
import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.KeyResolver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The init-param syntax: what each parameter means, and the message each mistake gets. */
class FilterSettingsTest {

    private static FilterSettings parse(String filterName, String... params) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return FilterSettings.parse(filterName, map.keySet(), map::get);
    }

    private static RateLimitRule.Builder rule(String name, long limit, String window) {
        return RateLimitRule.custom().name(name).limit(limit).window(window);
    }

    @Test
    void oneLimitTakesTheAnnotationDefaultsAndTheFilterName() {
        FilterSettings s = parse("api-limit", "limit", "100", "window", "1m");

        assertThat(s.rules()).containsExactly(rule("api-limit", 100, "1m").build());
        assertThat(s.rules().get(0).algorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
        assertThat(s.rules().get(0).keySource()).isEqualTo(KeySource.PRINCIPAL_OR_IP);
        assertThat(s.rules().get(0).cost()).isEqualTo(1);
        assertThat(s.keyResolverClass()).isNull();
        assertThat(s.overrides()).isEmpty();
    }

    @Test
    void everyAnnotationAttributeHasItsInitParam() {
        FilterSettings s = parse("api-limit", "limit", " 1000 ", "window", "PT1H", "algorithm", "sliding_window_log",
                "key", "header", "keyHeader", "X-Api-Key", "name", "search", "cost", "2");

        assertThat(s.rules()).containsExactly(rule("search", 1000, "1h").algorithm(Algorithm.SLIDING_WINDOW_LOG)
                .key(KeySource.HEADER).keyHeader("X-Api-Key").cost(2).build());
    }

    @Test
    void numberedLimitsAreOrderedByNumberNamedAfterTheFilterAndInheritTheUnnumberedParams() {
        FilterSettings s = parse("api", "limit.10", "1000", "window.10", "1h", "algorithm.10", "GCRA",
                "limit.2", "10", "window.2", "1s", "name.2", "burst",
                "key", "HEADER", "keyHeader", "X-Api-Key", "cost", "3", "algorithm", "FIXED_WINDOW");

        assertThat(s.rules()).containsExactly(
                rule("burst", 10, "1s").algorithm(Algorithm.FIXED_WINDOW).key(KeySource.HEADER).keyHeader("X-Api-Key")
                        .cost(3).build(),
                rule("api.10", 1000, "1h").algorithm(Algorithm.GCRA).key(KeySource.HEADER).keyHeader("X-Api-Key")
                        .cost(3).build());
    }

    @Test
    void anUnnumberedKeyHeaderReachesOnlyTheLimitsKeyedByAHeader() {
        FilterSettings s = parse("api", "keyHeader", "X-Api-Key",
                "limit.1", "10", "window.1", "1s", "key.1", "HEADER",
                "limit.2", "1000", "window.2", "1h", "key.2", "IP");

        assertThat(s.rules()).containsExactly(
                rule("api.1", 10, "1s").key(KeySource.HEADER).keyHeader("X-Api-Key").build(),
                rule("api.2", 1000, "1h").key(KeySource.IP).build());
    }

    @Test
    void filterNamesBecomeValidRuleNames() {
        assertThat(parse("Legacy API \"v1\"", "limit", "1", "window", "1s").rules().get(0).name())
                .isEqualTo("Legacy_API__v1_");
        // too long: its beginning, then ~ and a hash of the whole name, so that .1 and .2 stay apart (as in JAX-RS)
        List<RateLimitRule> rules = parse("x".repeat(300), "limit.1", "1", "window.1", "1s", "limit.2", "2",
                "window.2", "1s").rules();
        assertThat(rules.get(0).name()).hasSize(RateLimitRule.MAX_NAME_LENGTH)
                .matches("x{" + (RateLimitRule.MAX_NAME_LENGTH - 9) + "}~[0-9a-f]{8}");
        assertThat(rules.get(1).name()).hasSize(RateLimitRule.MAX_NAME_LENGTH).isNotEqualTo(rules.get(0).name());
    }

    @Test
    void blankValuesCountAsUnset() {
        FilterSettings s = parse("api", "limit", "5", "window", "1m", "algorithm", " ", "ratelimit.shadow", "");

        assertThat(s.rules()).containsExactly(rule("api", 5, "1m").build());
        assertThat(s.overrides()).isEmpty();
    }

    @Test
    void perFilterSettingsAreCollectedAndTheKeyResolverIsCreatedFromItsClassName() {
        FilterSettings s = parse("api", "limit", "5", "window", "1m", "key", "CUSTOM",
                "keyResolver", TenantKeyResolver.class.getName(),
                "ratelimit.headers", "LEGACY", "ratelimit.shadow", "true",
                "ratelimit.trusted-proxies", "10.0.0.0/8", "ratelimit.ipv6-prefix-length", "64",
                "ratelimit.count-options", "true", "ratelimit.exempt.networks", "10.1.0.0/16",
                "ratelimit.exempt.principals", "monitor", "ratelimit.exempt.roles", "ops");

        assertThat(s.overrides()).containsExactly(Map.entry("ratelimit.headers", "LEGACY"),
                Map.entry("ratelimit.shadow", "true"), Map.entry("ratelimit.trusted-proxies", "10.0.0.0/8"),
                Map.entry("ratelimit.ipv6-prefix-length", "64"), Map.entry("ratelimit.count-options", "true"),
                Map.entry("ratelimit.exempt.networks", "10.1.0.0/16"), Map.entry("ratelimit.exempt.principals", "monitor"),
                Map.entry("ratelimit.exempt.roles", "ops"));
        KeyResolver resolver = s.newKeyResolver(getClass().getClassLoader());
        assertThat(resolver).isInstanceOf(TenantKeyResolver.class);
        assertThat(s.toString()).isEqualTo("\"api\" 5 per 1m (TOKEN_BUCKET, key CUSTOM); key resolver "
                + TenantKeyResolver.class.getName());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        limit=0, window=1m                       | init-param limit='0' is invalid: limit must be greater than 0, was 0
        limit=ten, window=1m                     | init-param limit='ten' is invalid: limit must be a whole number
        limit=10, window=soon                    | init-param window='soon' is invalid: window 'soon' is not a duration; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M
        limit=10, window=0s                      | init-param window='0s' is invalid: window '0s' must be between 1ms and 366d
        limit=10, window=1m, algorithm=LEAKY     | init-param algorithm='LEAKY' is invalid: algorithm must be one of FIXED_WINDOW, SLIDING_WINDOW_LOG, SLIDING_WINDOW_COUNTER, TOKEN_BUCKET, GCRA
        limit=10, window=1m, key=USER            | init-param key='USER' is invalid: key must be one of PRINCIPAL_OR_IP, IP, HEADER, CUSTOM
        limit=10, window=1m, key=HEADER          | init-param key='HEADER' is invalid: key HEADER needs a keyHeader naming the header
        limit=10, window=1m, keyHeader=X-Api-Key | init-param keyHeader='X-Api-Key' is invalid: keyHeader 'X-Api-Key' is only used with key HEADER, not with key PRINCIPAL_OR_IP
        limit=10, window=1m, key=HEADER, keyHeader=X Key | init-param keyHeader='X Key' is invalid: keyHeader 'X Key' is not a valid HTTP header name
        limit=3000000000, window=1m              | init-param limit='3000000000' is invalid: limit 3000000000 is above the largest supported limit, 2147483647 (2^31 - 1)
        limit=20000, window=1m, algorithm=SLIDING_WINDOW_LOG | init-param limit='20000' is invalid: limit 20000 is above 10000, the largest limit of SLIDING_WINDOW_LOG (one stored entry per permit); use SLIDING_WINDOW_COUNTER, TOKEN_BUCKET or GCRA for high limits
        limit=10, window=1m, cost=0              | init-param cost='0' is invalid: cost must be at least 1, was 0
        limit=10, window=1m, cost=99999999999    | init-param cost='99999999999' is invalid: cost must be at most 2147483647
        limit=5, window=1m, cost=6               | init-param cost='6' is invalid: cost 6 is above the limit 5: a request of that cost could never pass
        limit.1=100, window.1=1m, limit.2=5, window.2=1s, cost=10 | init-param cost='10' is invalid: cost 10 is above the limit 5: a request of that cost could never pass
        limit.1=100, window.1=1m, cost.1=100, limit.2=5, window.2=1s, cost.2=6 | init-param cost.2='6' is invalid: cost 6 is above the limit 5: a request of that cost could never pass
        limit=10, window=1m, name=a\\b           | init-param name='a\\b' is invalid: name 'a\\b' may only hold visible ASCII characters other than '"' and '\\'
        window=1m                                | init-param limit is missing: set the number of requests allowed per window, e.g. 100
        limit=10                                 | init-param window is missing: set the window of limit, e.g. 1m
        algorithm=GCRA                           | no limit is set; give the init-params limit and window (e.g. 100 and 1m), or limit.1, window.1, limit.2, window.2, … for several limits
        limit.1=10, window.1=1s, limit.2=100     | init-param window.2 is missing: set the window of limit.2, e.g. 1m
        limit.1=10, window.1=1s, cost.2=2        | init-param limit.2 is missing: set the number of requests allowed per window, e.g. 100
        limit.1=10, window.1=1s, limit.2=100, window.2=soon | init-param window.2='soon' is invalid: window 'soon' is not a duration; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M
        limit.1=10, window.1=1s, algorithm=X     | init-param algorithm='X' is invalid: algorithm must be one of FIXED_WINDOW, SLIDING_WINDOW_LOG, SLIDING_WINDOW_COUNTER, TOKEN_BUCKET, GCRA
        limit.0=10, window.0=1s                  | init-param limit.0 has no valid number: limits are numbered from 1 to 999, without leading zeros (limit.1, limit.2, …)
        limit.01=10, window.01=1s                | init-param limit.01 has no valid number: limits are numbered from 1 to 999, without leading zeros (limit.1, limit.2, …)
        limit.1000=10, window.1000=1s            | init-param limit.1000 has no valid number: limits are numbered from 1 to 999, without leading zeros (limit.1, limit.2, …)
        limit=5, limit.1=10, window.1=1s         | init-param limit cannot be combined with numbered limits (limit.1, …): number every limit
        limit.1=10, window.1=1s, name.1=a, limit.2=10, window.2=1s, name.2=a | the numbered limits (name.1, name.2, …) are invalid: rule a[10 per PT1S, TOKEN_BUCKET, key PRINCIPAL_OR_IP] appears twice in one call; give each limit its own name, at most 16 limits
        limit.1=10, window.1=1s, keyHeader=X-Api-Key | init-param keyHeader='X-Api-Key' is invalid: keyHeader is only used with key HEADER, and no limit of this filter has it
        limit=10, window=1m, countWhen=failures  | init-param countWhen: countWhen 'failures': 'failures' is no status (401), range (400-499) or class (4xx)
        limit=10, window=1m, limt=5              | unknown init-param 'limt'; a limit is set with limit, window, algorithm, key, keyHeader, name, cost (numbered as limit.1, window.1, … for several limits), plus keyResolver, rejectionHandler, rulesResolver, countWhen and the per-filter settings ratelimit.headers, ratelimit.headers.draft, ratelimit.headers.legacy-prefix, ratelimit.headers.threshold, ratelimit.shadow, ratelimit.trusted-proxies, ratelimit.ipv6-prefix-length, ratelimit.count-options, ratelimit.exempt.networks, ratelimit.exempt.principals, ratelimit.exempt.roles
        limit=10, window=1m, keyheader=X-Api-Key | unknown init-param 'keyheader'; a limit is set with limit, window, algorithm, key, keyHeader, name, cost (numbered as limit.1, window.1, … for several limits), plus keyResolver, rejectionHandler, rulesResolver, countWhen and the per-filter settings ratelimit.headers, ratelimit.headers.draft, ratelimit.headers.legacy-prefix, ratelimit.headers.threshold, ratelimit.shadow, ratelimit.trusted-proxies, ratelimit.ipv6-prefix-length, ratelimit.count-options, ratelimit.exempt.networks, ratelimit.exempt.principals, ratelimit.exempt.roles
        limit=10, window=1m, key=CUSTOM          | key CUSTOM needs the init-param keyResolver naming a class that implements dev.ratelimit.http.KeyResolver
        limit=10, window=1m, keyResolver=com.acme.Keys | init-param keyResolver='com.acme.Keys' is invalid: keyResolver is only used with key CUSTOM (or for the CUSTOM rules a rulesResolver returns)
        """)
    void invalidInitParamsAreReportedWithTheFilterTheParameterAndTheValue(String params, String message) {
        String[] pairs = params.split(",\\s*");
        String[] flat = new String[pairs.length * 2];
        for (int i = 0; i < pairs.length; i++) {
            int eq = pairs[i].indexOf('=');
            flat[2 * i] = pairs[i].substring(0, eq).strip();
            flat[2 * i + 1] = pairs[i].substring(eq + 1).strip();
        }
        assertThatThrownBy(() -> parse("api-limit", flat))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Rate-limit filter 'api-limit': " + message);
    }

    @Test
    void contextWideSettingsCannotBeSetPerFilterAndTheirValueIsNeverShown() {
        assertThatThrownBy(() -> parse("api-limit", "limit", "10", "window", "1m",
                "ratelimit.redis.url", "redis://user:s3cret@redis:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Rate-limit filter 'api-limit': init-param ratelimit.redis.url is not a setting a filter "
                        + "may override; those are ratelimit.headers, ratelimit.headers.draft, ratelimit.headers.legacy-prefix, ratelimit.headers.threshold, ratelimit.shadow, ratelimit.trusted-proxies, "
                        + "ratelimit.ipv6-prefix-length, ratelimit.count-options, ratelimit.exempt.networks, "
                        + "ratelimit.exempt.principals, ratelimit.exempt.roles. Every other ratelimit.* setting configures the limiter that "
                        + "all rate-limit filters of a web application share: set it as a context-param, system "
                        + "property or environment variable")
                .message().doesNotContain("s3cret");
    }

    @Test
    void aKeyResolverClassMustLoadImplementTheInterfaceAndHaveAPublicNoArgumentConstructor() {
        ClassLoader loader = getClass().getClassLoader();
        assertThatThrownBy(() -> parse("api", "limit", "1", "window", "1s", "key", "CUSTOM",
                "keyResolver", "com.acme.Missing").newKeyResolver(loader))
                .hasMessage("Rate-limit filter 'api': init-param keyResolver='com.acme.Missing' is invalid: the class "
                        + "cannot be loaded: java.lang.ClassNotFoundException: com.acme.Missing");
        assertThatThrownBy(() -> parse("api", "limit", "1", "window", "1s", "key", "CUSTOM",
                "keyResolver", String.class.getName()).newKeyResolver(loader))
                .hasMessage("Rate-limit filter 'api': init-param keyResolver='java.lang.String' is invalid: the class "
                        + "does not implement dev.ratelimit.http.KeyResolver");
        assertThatThrownBy(() -> parse("api", "limit", "1", "window", "1s", "key", "CUSTOM",
                "keyResolver", NoDefaultConstructor.class.getName()).newKeyResolver(loader))
                .hasMessage("Rate-limit filter 'api': init-param keyResolver='" + NoDefaultConstructor.class.getName()
                        + "' is invalid: the class needs a public no-argument constructor that succeeds: "
                        + "java.lang.NoSuchMethodException: " + NoDefaultConstructor.class.getName() + ".<init>()");
    }

    @Test
    void aCostUpToTheLimitIsAccepted() {
        assertThat(parse("export", "limit", "5", "window", "1m", "cost", "5").rules())
                .containsExactly(rule("export", 5, "1m").cost(5).build());
        assertThat(parse("big", "limit", "2147483647", "window", "1m", "cost", "2147483647").rules().get(0).cost())
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void theRuleOrderIsTheNumberOrder() {
        List<RateLimitRule> rules = parse("api", "limit.3", "3", "window.3", "1s", "limit.1", "1", "window.1", "1s",
                "limit.20", "20", "window.20", "1s").rules();
        assertThat(rules).extracting(RateLimitRule::name).containsExactly("api.1", "api.3", "api.20");
    }

    /** A resolver the filter cannot create. */
    public static final class NoDefaultConstructor implements KeyResolver {
        private final String header;

        public NoDefaultConstructor(String header) {
            this.header = header;
        }

        @Override
        public String resolve(dev.ratelimit.http.RequestView request) {
            return request.headerValues(header).stream().findFirst().orElse(null);
        }
    }
}
