package dev.ratelimit.internal.config;

import dev.ratelimit.metrics.RateLimitMetrics;
import dev.ratelimit.internal.http.Exemptions;
import dev.ratelimit.internal.http.TrustedProxies;
import dev.ratelimit.internal.http.HeaderStyle;
import dev.ratelimit.internal.http.PartitionKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.RedisCluster;
import dev.ratelimit.testing.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateLimitSettingsTest {

    private final Map<String, String> sys = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> params = new HashMap<>();

    private RateLimitSettings load() {
        return RateLimitSettings.load(sys::get, env::get, params::get);
    }

    @Test
    void defaults() {
        RateLimitSettings s = load();
        assertThat(s.redis().redisUrl()).isEmpty();
        assertThat(s.redis().redisTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.redis().redisMaxConnections()).isEqualTo(64);
        assertThat(s.redis().redisKeyPrefix()).isEqualTo("rl");
        FallbackConfig f = s.fallbackConfig();
        assertThat(f.policy()).isEqualTo(FailurePolicy.FALLBACK);
        assertThat(f.instanceCount()).isEqualTo(1);
        assertThat(f.failureRateThreshold()).isEqualTo(50f);
        assertThat(f.slowCallRateThreshold()).isEqualTo(50f);
        assertThat(f.slowCallDurationThreshold()).isEqualTo(Duration.ofMillis(200));
        assertThat(f.waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(5));
        assertThat(f.slidingWindowSize()).isEqualTo(20);
        assertThat(f.minimumNumberOfCalls()).isEqualTo(5);
        assertThat(f.permittedCallsInHalfOpenState()).isEqualTo(3);
        assertThat(s.memoryMaximumKeys()).isEqualTo(100_000);
        assertThat(s.denialCacheMaxKeys()).isZero();
        assertThat(s.requestKeys().trustedProxies()).isEqualTo(TrustedProxies.none());
        assertThat(s.requestKeys().ipv6PrefixLength()).isEqualTo(128);
        assertThat(s.headerStyle()).isEqualTo(HeaderStyle.BOTH);
        assertThat(s.partitionKeys()).isNull();
        assertThat(s.shadow()).isFalse();
        assertThat(s.metricsEnabled()).isTrue();
        assertThat(s).hasToString("RateLimitSettings[redis.url=(none: in-memory), redis.timeout=100ms, "
                + "redis.max-connections=64, redis.key-prefix=rl, fallback.policy=FALLBACK, "
                + "fallback.instance-count=1, breaker.failure-rate-threshold=50, "
                + "breaker.slow-call-rate-threshold=50, breaker.slow-call-duration=200ms, "
                + "breaker.wait-in-open-state=5s, breaker.sliding-window-size=20, breaker.minimum-calls=5, "
                + "breaker.half-open-calls=3, memory.maximum-keys=100000, denial-cache.max-keys=0, trusted-proxies=[], "
                + "ipv6-prefix-length=128, headers=BOTH, headers.partition-key=false, shadow=false, count-options=false, "
                + "metrics.enabled=true, exempt.networks=[], exempt.principals=[], exempt.roles=[]]");
        assertThat(s.exemptions()).isSameAs(Exemptions.none());
        assertThat(RateLimitSettings.load(null, null, null)).hasToString(s.toString());
    }

    @Test
    void precedenceIsSystemPropertyThenEnvironmentThenContainerParamThenDefault() {
        sys.put("ratelimit.fallback.policy", "ALLOW");
        env.put("RATELIMIT_FALLBACK_POLICY", "DENY");
        params.put("ratelimit.fallback.policy", "FALLBACK");
        assertThat(load().fallbackConfig().policy()).isEqualTo(FailurePolicy.ALLOW);
        sys.put("ratelimit.fallback.policy", "  "); // blank counts as unset
        assertThat(load().fallbackConfig().policy()).isEqualTo(FailurePolicy.DENY);
        sys.clear();
        env.clear();
        params.put("ratelimit.fallback.policy", "allow");
        assertThat(load().fallbackConfig().policy()).isEqualTo(FailurePolicy.ALLOW);
        params.clear();
        assertThat(load().fallbackConfig().policy()).isEqualTo(FailurePolicy.FALLBACK);

        env.put("RATELIMIT_REDIS_MAX_CONNECTIONS", "8");
        params.put("ratelimit.redis.max-connections", "16");
        assertThat(load().redis().redisMaxConnections()).isEqualTo(8);
        sys.put("ratelimit.redis.max-connections", " 4 ");
        assertThat(load().redis().redisMaxConnections()).isEqualTo(4);
        // the environment is only consulted under the upper-case, underscore name
        env.clear();
        env.put("ratelimit.redis.max-connections", "2");
        sys.clear();
        assertThat(load().redis().redisMaxConnections()).isEqualTo(16);
    }

    @Test
    void environmentNames() {
        assertThat(Setting.environmentName("ratelimit.redis.url")).isEqualTo("RATELIMIT_REDIS_URL");
        assertThat(Setting.environmentName("ratelimit.breaker.wait-in-open-state"))
                .isEqualTo("RATELIMIT_BREAKER_WAIT_IN_OPEN_STATE");
    }

    @Test
    void everySettingIsRead() {
        params.put("ratelimit.redis.url", "redis://127.0.0.1:6380/2");
        params.put("ratelimit.redis.timeout", "250ms");
        params.put("ratelimit.redis.max-connections", "32");
        params.put("ratelimit.redis.key-prefix", "myapp");
        params.put("ratelimit.fallback.policy", "deny");
        params.put("ratelimit.fallback.instance-count", "4");
        params.put("ratelimit.breaker.failure-rate-threshold", "25.5");
        params.put("ratelimit.breaker.slow-call-rate-threshold", "80");
        params.put("ratelimit.breaker.slow-call-duration", "PT0.3S");
        params.put("ratelimit.breaker.wait-in-open-state", "1m");
        params.put("ratelimit.breaker.sliding-window-size", "50");
        params.put("ratelimit.breaker.minimum-calls", "10");
        params.put("ratelimit.breaker.half-open-calls", "2");
        params.put("ratelimit.memory.maximum-keys", "5000000000");
        params.put("ratelimit.denial-cache.max-keys", "20000");
        params.put("ratelimit.trusted-proxies", "10.0.0.0/8, ::1");
        params.put("ratelimit.ipv6-prefix-length", "64");
        params.put("ratelimit.headers", "ietf");
        params.put("ratelimit.headers.partition-key", "true");
        params.put("ratelimit.headers.partition-key-secret", "one secret for all instances");
        params.put("ratelimit.shadow", "TRUE");
        params.put("ratelimit.count-options", "true");
        params.put("ratelimit.metrics.enabled", "false");
        params.put("ratelimit.exempt.networks", "192.0.2.0/24");
        params.put("ratelimit.exempt.principals", "monitor");
        params.put("ratelimit.exempt.roles", "ops");
        RateLimitSettings s = load();
        assertThat(s.redis().redisUrl()).contains("redis://127.0.0.1:6380/2");
        assertThat(s.redis().redisTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.redis().redisMaxConnections()).isEqualTo(32);
        assertThat(s.redis().redisKeyPrefix()).isEqualTo("myapp");
        FallbackConfig f = s.fallbackConfig();
        assertThat(f.policy()).isEqualTo(FailurePolicy.DENY);
        assertThat(f.instanceCount()).isEqualTo(4);
        assertThat(f.failureRateThreshold()).isEqualTo(25.5f);
        assertThat(f.slowCallRateThreshold()).isEqualTo(80f);
        assertThat(f.slowCallDurationThreshold()).isEqualTo(Duration.ofMillis(300));
        assertThat(f.waitDurationInOpenState()).isEqualTo(Duration.ofMinutes(1));
        assertThat(f.slidingWindowSize()).isEqualTo(50);
        assertThat(f.minimumNumberOfCalls()).isEqualTo(10);
        assertThat(f.permittedCallsInHalfOpenState()).isEqualTo(2);
        assertThat(s.memoryMaximumKeys()).isEqualTo(5_000_000_000L);
        assertThat(s.denialCacheMaxKeys()).isEqualTo(20_000);
        assertThat(s.requestKeys().trustedProxies()).isEqualTo(TrustedProxies.parse("10.0.0.0/8, ::1"));
        assertThat(s.requestKeys().ipv6PrefixLength()).isEqualTo(64);
        assertThat(s.headerStyle()).isEqualTo(HeaderStyle.IETF);
        assertThat(s.partitionKeys().isRandom()).isFalse();
        assertThat(s.partitionKeys().of("203.0.113.7"))
                .isEqualTo(PartitionKeys.withSecret("one secret for all instances").of("203.0.113.7"));
        assertThat(s.shadow()).isTrue();
        assertThat(s.metricsEnabled()).isFalse();
        assertThat(s.metrics()).isSameAs(dev.ratelimit.metrics.RateLimitMetrics.none());
        assertThat(s).hasToString("RateLimitSettings[redis.url=redis://127.0.0.1:6380/2, redis.timeout=250ms, "
                + "redis.max-connections=32, redis.key-prefix=myapp, fallback.policy=DENY, "
                + "fallback.instance-count=4, breaker.failure-rate-threshold=25.5, "
                + "breaker.slow-call-rate-threshold=80, breaker.slow-call-duration=300ms, "
                + "breaker.wait-in-open-state=1m, breaker.sliding-window-size=50, breaker.minimum-calls=10, "
                + "breaker.half-open-calls=2, memory.maximum-keys=5000000000, denial-cache.max-keys=20000, "
                + "trusted-proxies=[10.0.0.0/8, ::1/128], "
                + "ipv6-prefix-length=64, headers=IETF, headers.partition-key=true, headers.partition-key-secret=***, "
                + "shadow=true, count-options=true, metrics.enabled=false, "
                + "exempt.networks=[192.0.2.0/24], exempt.principals=[monitor], exempt.roles=[ops]]");
    }

    @Test
    void invalidValuesNameTheSettingAndItsSource() {
        env.put("RATELIMIT_FALLBACK_POLICY", "MAYBE");
        assertInvalid("ratelimit.fallback.policy='MAYBE' (from environment variable RATELIMIT_FALLBACK_POLICY) "
                + "must be one of FALLBACK, ALLOW, DENY");
        env.clear();

        sys.put("ratelimit.redis.timeout", "fast");
        assertInvalid("ratelimit.redis.timeout='fast' (from system property ratelimit.redis.timeout) must be a "
                + "duration of at most 1d such as 100ms, 5s, 1m or PT0.1S");
        sys.put("ratelimit.redis.timeout", "2m");
        assertInvalid("ratelimit.redis.timeout='2m' (from system property ratelimit.redis.timeout) is invalid: "
                + "timeout must be between 1 ms and 60 s, was PT2M");
        sys.clear();

        params.put("ratelimit.fallback.instance-count", "0");
        assertInvalid("ratelimit.fallback.instance-count='0' (from context-param/init-param "
                + "ratelimit.fallback.instance-count) is invalid: instanceCount must be at least 1, was 0");
        params.put("ratelimit.fallback.instance-count", "two");
        assertInvalid("ratelimit.fallback.instance-count='two' (from context-param/init-param "
                + "ratelimit.fallback.instance-count) must be a whole number");
        params.clear();

        params.put("ratelimit.trusted-proxies", "10.0.0.0/8, proxy.internal");
        assertInvalid("ratelimit.trusted-proxies='10.0.0.0/8, proxy.internal' (from context-param/init-param "
                + "ratelimit.trusted-proxies) is invalid: trusted proxy 'proxy.internal' is not an IP address or "
                + "CIDR range such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1");
        params.clear();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ratelimit.redis.max-connections|0|is invalid: maxConnections must be at least 1, was 0",
        "ratelimit.redis.max-connections|99999999999|must be a whole number up to 2147483647",
        "ratelimit.redis.key-prefix|a{b}|is invalid: keyPrefix 'a{b}' must be 1 to 64 visible ASCII characters "
            + "without braces",
        "ratelimit.breaker.failure-rate-threshold|101|is invalid: failureRateThreshold must be a percentage from 1 "
            + "to 100, was 101.0",
        "ratelimit.breaker.failure-rate-threshold|NaN|must be a number such as 50 or 12.5",
        "ratelimit.breaker.slow-call-duration|0ms|is invalid: slowCallDurationThreshold must be a positive "
            + "duration, was PT0S",
        "ratelimit.breaker.wait-in-open-state|2d|must be a duration of at most 1d such as 100ms, 5s, 1m or PT0.1S",
        "ratelimit.breaker.sliding-window-size|0|is invalid: slidingWindowSize must be at least 1, was 0",
        "ratelimit.breaker.minimum-calls|-1|is invalid: minimumNumberOfCalls must be at least 1, was -1",
        "ratelimit.breaker.half-open-calls|0|is invalid: permittedCallsInHalfOpenState must be at least 1, was 0",
        "ratelimit.memory.maximum-keys|0|is invalid: maximumKeys must be at least 1, was 0",
        "ratelimit.denial-cache.max-keys|-1|is invalid: denial cache size must be 0 (off) or more, was -1",
        "ratelimit.ipv6-prefix-length|129|is invalid: ipv6PrefixLength must be from 0 to 128, was 129",
        "ratelimit.headers|ALL|must be one of IETF, LEGACY, BOTH, NONE",
        "ratelimit.headers.partition-key|on|must be true or false",
        "ratelimit.shadow|yes|must be true or false",
        "ratelimit.count-options|sometimes|must be true or false",
        "ratelimit.exempt.networks|10.0.0.0/8, gateway.internal|is invalid: exempt network 'gateway.internal' is not "
            + "an IP address or CIDR range such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1",
        "ratelimit.exempt.networks|10.0.0.0/33|is invalid: exempt network '10.0.0.0/33' is not an IP address or "
            + "CIDR range such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1",
        "ratelimit.exempt.networks|::1/129|is invalid: exempt network '::1/129' is not an IP address or CIDR range "
            + "such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1",
        "ratelimit.exempt.roles|ops, *|is invalid: '*' is not a role name (wildcards are not supported: list the "
            + "roles)",
        "ratelimit.exempt.roles|**|is invalid: '**' is not a role name (wildcards are not supported: list the "
            + "roles)",
    })
    void invalidValues(String name, String value, String why) {
        sys.put(name, value);
        assertInvalid(name + "='" + value + "' (from system property " + name + ") " + why);
    }

    /** Partition keys on without a secret: one random secret per deployment, the same for every load. */
    @Test
    void partitionKeysWithoutASecretUseARandomOne() {
        params.put("ratelimit.headers.partition-key", "true");
        RateLimitSettings s = load();
        assertThat(s.partitionKeys().isRandom()).isTrue();
        assertThat(s.toString()).contains("headers.partition-key=true, headers.partition-key-secret=random");
        assertThat(s.partitionKeys().of("alice")).isEqualTo(load().partitionKeys().of("alice"))
                .isNotEqualTo(PartitionKeys.withSecret("not the random secret").of("alice"));
    }

    @Test
    void exemptionsAreReadFromEverySourceTrimmedAndListed() {
        env.put("RATELIMIT_EXEMPT_NETWORKS", " 10.1.2.3/16 , , 192.0.2.7, 2001:DB8::/32 ");
        params.put("ratelimit.exempt.principals", "monitor,  ops-bot ,monitor,");
        sys.put("ratelimit.exempt.roles", "ops, admin, ops");
        RateLimitSettings s = load();
        Exemptions e = s.exemptions();
        assertThat(e.any()).isTrue();
        assertThat(e.networks()).isEqualTo(TrustedProxies.parse("10.1.0.0/16, 192.0.2.7/32, 2001:db8::/32"));
        assertThat(e.principals()).containsExactlyInAnyOrder("monitor", "ops-bot");
        assertThat(e.roles()).containsExactly("ops", "admin");
        assertThat(s.toString()).endsWith(", exempt.networks=[10.1.0.0/16, 192.0.2.7/32, 2001:db8::/32], "
                + "exempt.principals=[monitor, ops-bot], exempt.roles=[ops, admin]]");
        assertThat(e).hasToString("networks [10.1.0.0/16, 192.0.2.7/32, 2001:db8::/32], principals [monitor, "
                + "ops-bot], roles [ops, admin]");

        sys.put("ratelimit.exempt.roles", " ");
        env.clear();
        params.put("ratelimit.exempt.principals", " , ");
        assertThat(load().exemptions()).as("blank, or nothing but commas: none").isSameAs(Exemptions.none());
    }

    @Test
    void redisPasswordIsMaskedInToStringAndErrors() {
        env.put("RATELIMIT_REDIS_URL", "redis://app:s3cret@127.0.0.1:6379/0");
        RateLimitSettings s = load();
        assertThat(s.redis().redisUrl()).contains("redis://app:s3cret@127.0.0.1:6379/0");
        assertThat(s.toString()).contains("redis.url=redis://app:***@127.0.0.1:6379/0").doesNotContain("s3cret");

        for (String bad : new String[] {"redis://app:s3cret@", "redis://app:s3/cret@host:6379", "http://app:s3cret@h:1",
            "app:s3cret@host", "redis://s3cret@host:6379", "redis://app:s3cret@host:port"}) {
            env.put("RATELIMIT_REDIS_URL", bad);
            assertThatThrownBy(this::load)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("ratelimit.redis.url='")
                    .hasMessageEndingWith("' (from environment variable RATELIMIT_REDIS_URL) must look like "
                            + "redis://[user:password@]host:port[/db] or rediss://…")
                    .hasMessageContaining("***")
                    .hasNoCause()
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3"));
        }
        env.put("RATELIMIT_REDIS_URL", "redis://app:s3cret@");
        assertInvalid("ratelimit.redis.url='redis://app:***@' (from environment variable RATELIMIT_REDIS_URL) must "
                + "look like redis://[user:password@]host:port[/db] or rediss://…");
        env.put("RATELIMIT_REDIS_URL", "localhost:6379");
        assertInvalid("ratelimit.redis.url='localhost:6379' (from environment variable RATELIMIT_REDIS_URL) must "
                + "look like redis://[user:password@]host:port[/db] or rediss://…");
    }

    @Test
    void theHeaderFormatSettingsShapeTheHeadersAndAreListedWhenSet() {
        params.put("ratelimit.headers.draft", "DRAFT-07");
        params.put("ratelimit.headers.legacy-prefix", "RateLimit-");
        params.put("ratelimit.headers.threshold", "20");
        RateLimitSettings s = load();
        assertThat(s.toString()).contains("headers=BOTH, headers.draft=draft-07, headers.legacy-prefix=RateLimit-, "
                + "headers.threshold=20, headers.partition-key=false, shadow=false");
        params.clear();
        assertThat(load().toString()).as("at their defaults they are not listed")
                .doesNotContain("headers.draft", "headers.legacy-prefix", "headers.threshold");
    }

    @Test
    void invalidHeaderFormatSettingsAreNamed() {
        params.put("ratelimit.headers.draft", "draft-09");
        assertInvalid("ratelimit.headers.draft='draft-09' (from context-param/init-param ratelimit.headers.draft) "
                + "must be one of draft-11, draft-07, draft-06");
        params.clear();
        params.put("ratelimit.headers.threshold", "101");
        assertInvalid("ratelimit.headers.threshold='101' (from context-param/init-param ratelimit.headers.threshold) "
                + "must be a percentage of the limit from 0 to 100");
        params.clear();
        env.put("RATELIMIT_HEADERS_LEGACY_PREFIX", "X-Rate Limit-");
        assertThatThrownBy(this::load).hasMessageStartingWith("ratelimit.headers.legacy-prefix='X-Rate Limit-' (from "
                + "environment variable RATELIMIT_HEADERS_LEGACY_PREFIX) is invalid: the legacy header prefix must");
        env.put("RATELIMIT_HEADERS_LEGACY_PREFIX", "RateLimit-");
        params.put("ratelimit.headers.draft", "draft-06");
        assertThatThrownBy(this::load).hasMessageContaining("ratelimit.headers.legacy-prefix='RateLimit-'")
                .hasMessageContaining("twice");
    }

    @Test
    void publicLoadReadsTheContainerParams() {
        // assumes the build does not set ratelimit.* system properties or RATELIMIT_* variables
        RateLimitSettings s = RateLimitSettings.load(name -> name.equals("ratelimit.headers") ? "legacy" : null);
        assertThat(s.headerStyle()).isEqualTo(HeaderStyle.LEGACY);
        assertThat(RateLimitSettings.load(null).headerStyle()).isEqualTo(HeaderStyle.BOTH);
    }

    @Test
    void withoutRedisTheLimiterIsInMemory() {
        params.put("ratelimit.memory.maximum-keys", "10");
        RateLimitRule rule = RateLimitRule.custom().name("settings-memory").limit(1).window("1m").build();
        try (RateLimiter limiter = load().createLimiter(RateLimitMetrics.none())) {
            assertThat(limiter).isInstanceOf(InMemoryRateLimiter.class);
            assertThat(limiter.acquire("ip:203.0.113.7", rule).store()).isEqualTo(Store.MEMORY);
            assertThat(limiter.acquire("ip:203.0.113.7", rule).allowed()).isFalse();
        }
    }

    @Test
    void withRedisTheLimiterIsRedisWithAFallback() {
        params.put("ratelimit.redis.url", RedisServer.shared().uri());
        params.put("ratelimit.redis.key-prefix", "settings-test");
        params.put("ratelimit.fallback.policy", "DENY");
        RateLimitRule rule = RateLimitRule.custom().name("settings-redis").limit(1).window("1m").build();
        String key = "ip:" + UUID.randomUUID();
        try (RateLimiter limiter = load().createLimiter(RateLimitMetrics.none())) {
            assertThat(limiter).isInstanceOf(FallbackRateLimiter.class);
            FallbackRateLimiter fallback = (FallbackRateLimiter) limiter;
            assertThat(fallback.config().policy()).isEqualTo(FailurePolicy.DENY);
            Decision first = limiter.acquire(key, rule);
            assertThat(first.store()).isEqualTo(Store.REDIS);
            assertThat(first.allowed()).isTrue();
            assertThat(limiter.acquire(key, rule).allowed()).isFalse();
            assertThat(fallback.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
        try (var redis = RedisServer.shared().client()) {
            assertThat(redis.keys("settings-test:*")).isNotEmpty();
        }
    }

    @Test
    void clusterNodesFromTheEnvironmentWithCredentialsMasked() {
        env.put("RATELIMIT_REDIS_CLUSTER_NODES", " redis-1:6379, redis-2:6379 ,[::1]:7000");
        env.put("RATELIMIT_REDIS_USER", "app");
        env.put("RATELIMIT_REDIS_PASSWORD", "cl-s3cret");
        env.put("RATELIMIT_REDIS_SSL", "TRUE");
        RateLimitSettings s = load();
        assertThat(s.redis().redisUrl()).isEmpty();
        assertThat(s.redis().redisClusterNodes()).containsExactly("redis-1:6379", "redis-2:6379", "[::1]:7000");
        assertThat(s.redis().redisSsl()).isTrue();
        assertThat(s.toString())
                .startsWith("RateLimitSettings[redis.cluster.nodes=[redis-1:6379, redis-2:6379, [::1]:7000], "
                        + "redis.user=app, redis.password=***, redis.ssl=true, redis.timeout=100ms")
                .doesNotContain("cl-s3cret");
    }

    @Test
    void sentinelFromContextParamsWithTwoPasswordsMasked() {
        params.put("ratelimit.redis.sentinel.master", "mymaster");
        params.put("ratelimit.redis.sentinel.nodes", "s1:26379,s2:26379,s3:26379");
        params.put("ratelimit.redis.password", "data-s3cret");
        params.put("ratelimit.redis.sentinel.password", "sent-s3cret");
        RateLimitSettings s = load();
        assertThat(s.redis().redisSentinelMaster()).contains("mymaster");
        assertThat(s.redis().redisSentinelNodes()).containsExactly("s1:26379", "s2:26379", "s3:26379");
        assertThat(s.toString())
                .startsWith("RateLimitSettings[redis.sentinel.master=mymaster, "
                        + "redis.sentinel.nodes=[s1:26379, s2:26379, s3:26379], redis.sentinel.password=***, "
                        + "redis.password=***, redis.timeout=100ms")
                .doesNotContain("s3cret");
    }

    @Test
    void topologySettingsAreCheckedAndNeverShowAPassword() {
        sys.put("ratelimit.redis.url", "redis://h:6379");
        env.put("RATELIMIT_REDIS_CLUSTER_NODES", "a:1");
        assertInvalid("set only one Redis topology (ratelimit.redis.url, ratelimit.redis.cluster.nodes or "
                + "ratelimit.redis.sentinel.master with ratelimit.redis.sentinel.nodes), found ratelimit.redis.url "
                + "(from system property ratelimit.redis.url) and ratelimit.redis.cluster.nodes (from environment "
                + "variable RATELIMIT_REDIS_CLUSTER_NODES)");
        sys.clear();
        env.clear();

        params.put("ratelimit.redis.cluster.nodes", "a:1,,b:2");
        assertInvalid("ratelimit.redis.cluster.nodes='a:1,,b:2' (from context-param/init-param "
                + "ratelimit.redis.cluster.nodes) must be a comma-separated list of host:port, e.g. "
                + "redis-1:6379,redis-2:6379");
        params.put("ratelimit.redis.cluster.nodes", "a:1,b");
        assertInvalid("ratelimit.redis.cluster.nodes='a:1,b' (from context-param/init-param "
                + "ratelimit.redis.cluster.nodes) is invalid: clusterNodes entry 'b' must look like host:port, e.g. "
                + "redis-1:6379 or [::1]:6379");
        params.clear();

        params.put("ratelimit.redis.sentinel.master", "m");
        assertInvalid("Redis Sentinel needs both ratelimit.redis.sentinel.master and ratelimit.redis.sentinel.nodes; "
                + "only ratelimit.redis.sentinel.master is set (from context-param/init-param "
                + "ratelimit.redis.sentinel.master)");
        params.clear();

        params.put("ratelimit.redis.url", "redis://h:6379");
        params.put("ratelimit.redis.password", "url-s3cret");
        assertInvalid("ratelimit.redis.password='***' (from context-param/init-param ratelimit.redis.password) "
                + "applies to ratelimit.redis.cluster.nodes and Redis Sentinel only: with ratelimit.redis.url put the "
                + "user and password in the URL (redis://user:password@host:port) and use rediss:// for TLS");
        params.clear();

        env.put("RATELIMIT_REDIS_SENTINEL_PASSWORD", "lone-s3cret");
        assertInvalid("ratelimit.redis.sentinel.password='***' (from environment variable "
                + "RATELIMIT_REDIS_SENTINEL_PASSWORD) needs ratelimit.redis.sentinel.master and "
                + "ratelimit.redis.sentinel.nodes");
        env.clear();

        params.put("ratelimit.redis.cluster.nodes", "a:1");
        params.put("ratelimit.redis.user", "app");
        assertInvalid("ratelimit.redis.user='app' (from context-param/init-param ratelimit.redis.user) needs "
                + "ratelimit.redis.password as well");
        params.put("ratelimit.redis.password", "pw-s3cret");
        params.put("ratelimit.redis.ssl", "yes");
        assertInvalid("ratelimit.redis.ssl='yes' (from context-param/init-param ratelimit.redis.ssl) must be true or "
                + "false");
    }

    @Test
    void clusterSettingsGiveARedisLimiterOnTheCluster() {
        params.put("ratelimit.redis.cluster.nodes", String.join(",", RedisCluster.shared().seeds().subList(0, 2)));
        params.put("ratelimit.redis.key-prefix", "settings-cluster-" + UUID.randomUUID());
        params.put("ratelimit.redis.timeout", "2s");
        RateLimitRule rule = RateLimitRule.custom().name("settings-cluster").limit(1).window("1m").build();
        try (RateLimiter limiter = load().createLimiter(RateLimitMetrics.none())) {
            assertThat(limiter).isInstanceOf(FallbackRateLimiter.class);
            Decision first = limiter.acquire("ip:203.0.113.9", rule);
            assertThat(first.store()).isEqualTo(Store.REDIS);
            assertThat(first.allowed()).isTrue();
            assertThat(limiter.acquire("ip:203.0.113.9", rule).allowed()).isFalse();
        }
    }

    /** Nothing connects when the limiter is created: with every sentinel down, the fallback decides. */
    @Test
    void unreachableSentinelsFailNoStartAndTheFallbackDecides() {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        params.put("ratelimit.redis.sentinel.master", "mymaster");
        params.put("ratelimit.redis.sentinel.nodes", "127.0.0.1:" + closedPort);
        RateLimitRule rule = RateLimitRule.custom().name("settings-sentinel").limit(1).window("1m").build();
        try (RateLimiter limiter = load().createLimiter(RateLimitMetrics.none())) {
            Decision first = limiter.acquire("ip:203.0.113.10", rule);
            assertThat(first.store()).isEqualTo(Store.FALLBACK);
            assertThat(first.allowed()).isTrue();
            assertThat(limiter.acquire("ip:203.0.113.10", rule).allowed()).isFalse();
        }
    }

    private void assertInvalid(String message) {
        assertThatThrownBy(this::load).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void theAdminRoleIsOneRoleName() {
        assertThat(load().adminRole()).as("none by default").isNull();
        params.put(RateLimitSettings.ADMIN_ROLE, " ratelimit-admin ");
        assertThat(load().adminRole()).isEqualTo("ratelimit-admin");
        for (String invalid : new String[] {"*", "ops, admin", "rate limit"}) {
            params.put(RateLimitSettings.ADMIN_ROLE, invalid);
            assertThatThrownBy(this::load).hasMessageContaining(RateLimitSettings.ADMIN_ROLE)
                    .hasMessageContaining("must be one role name");
        }
    }
}
