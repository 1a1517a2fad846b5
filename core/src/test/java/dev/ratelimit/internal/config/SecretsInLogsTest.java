package dev.ratelimit.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.metrics.RateLimitMetrics;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.redis.RedisRateLimiter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Redis password reaches neither the log (startup summary, breaker transitions with the last Redis error) nor an
 * exception message. The test logger (slf4j-simple) writes to whatever {@code System.err} is at the time, so the
 * test captures it.
 */
@Isolated
class SecretsInLogsTest {

    private static final String SECRET = "Pa55-w0rd-that-must-not-leak";

    @Test
    void thePasswordIsNeitherLoggedNorInErrors() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // nothing listens there once closed
        }
        String url = "redis://app:" + SECRET + "@127.0.0.1:" + closedPort + "/0";
        RateLimitSettings settings = RateLimitSettings.load(null, Map.of("RATELIMIT_REDIS_URL", url)::get, null);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (RateLimiter limiter = settings.createLimiter(RateLimitMetrics.none())) {
            RateLimitRule rule = RateLimitRule.custom().name("api").limit(5).window("1m").build();
            for (int i = 0; i < 30; i++) {
                Decision d = limiter.acquire("alice", rule);
                assertThat(d.store()).isEqualTo(Store.FALLBACK);
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("the startup summary and the breaker's WARN were logged")
                .contains("app:***@127.0.0.1:" + closedPort).contains("Redis is failing");
        assertThat(log).doesNotContain(SECRET);

        assertThatThrownBy(() -> RateLimitSettings.load(null,
                Map.of("RATELIMIT_REDIS_URL", "redis://app:" + SECRET + "@127.0.0.1:notaport")::get, null))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains("RATELIMIT_REDIS_URL").doesNotContain(SECRET));
    }

    /**
     * Malformed Redis URLs of every shape, each with the password {@code s3cretpw}: the builder's message and the
     * settings' message name the URL without the password, and keep the rest (scheme, host) to be useful.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "redis://s3cretpw@host:abc",            // password only, bad port (issue 16, defect 6)
        "redis://app:s3cretpw@host:abc",        // user and password, bad port
        "redis://:s3cretpw@host:99999999999",   // empty user, port out of range
        "redis://app:s3cretpw@",                // no host
        "redis://:s3cretpw@redis.internal",     // no port
        "redis://app:s3cretpw@:6379",           // no host, a port
        "redis://app:s3c@retpw@host:6379/0",    // '@' in the password
        "redis://app:s3cr/etpw@host:6379",      // '/' in the password: not a URL any more
        "redis://app:s3cretpw@ho st:6379",      // unparseable URI
        "redis://s3cretpw@[::1:6379",           // IPv6 without its closing bracket
        "rediss://app:s3cretpw@host:port/1",    // TLS, bad port, db path
        "http://app:s3cretpw@host:6379",        // another scheme
        "redis:/app:s3cretpw@host:6379",        // one slash
        "app:s3cretpw@host:6379",               // no scheme
    })
    void malformedUrlsNeverShowThePassword(String url) {
        assertThatThrownBy(() -> RedisRateLimiter.custom().uri(url))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3c").doesNotContain("etpw")
                        .contains("***").contains(url.substring(0, url.indexOf(':'))))
                .hasNoCause();
        assertThatThrownBy(() -> RateLimitSettings.load(null, Map.of("RATELIMIT_REDIS_URL", url)::get, null))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3c").doesNotContain("etpw")
                        .contains("***").contains("RATELIMIT_REDIS_URL"))
                .hasNoCause();
    }

    /** Valid URLs of every shape: the startup summary and the limiter's description show all but the password. */
    @ParameterizedTest
    @ValueSource(strings = {
        "redis://app:s3cretpw@redis.internal:6379|redis://app:***@redis.internal:6379",
        "redis://default:s3cretpw@[::1]:6379/2|redis://default:***@[::1]:6379/2",
        "redis://:s3cretpw@[::1]:6379|redis://:***@[::1]:6379",
        "rediss://app:s3cretpw@redis.internal:6380/1|rediss://app:***@redis.internal:6380/1",
        "rediss://app:s3c%40retpw@redis.internal:6380|rediss://app:***@redis.internal:6380",
    })
    void validUrlsAreSummarisedWithoutThePassword(String urlAndShown) {
        String url = urlAndShown.substring(0, urlAndShown.indexOf('|'));
        String shown = urlAndShown.substring(urlAndShown.indexOf('|') + 1);
        RateLimitSettings settings = RateLimitSettings.load(null, Map.of("RATELIMIT_REDIS_URL", url)::get, null);
        assertThat(settings.toString()).contains("redis.url=" + shown).doesNotContain("s3c");
        try (RedisRateLimiter redis = RedisRateLimiter.custom().uri(url).build()) {
            assertThat(redis.toString()).contains(shown).doesNotContain("s3c");
        }
    }

    /** Host lists (cluster seeds, sentinels) that carry a password by mistake are shown without it. */
    @Test
    void hostListsWithCredentialsNeverShowThePassword() {
        for (String name : List.of("RATELIMIT_REDIS_CLUSTER_NODES", "RATELIMIT_REDIS_SENTINEL_NODES")) {
            for (String nodes : List.of("app:s3cretpw@redis-1:6379", "redis-1:6379,app:s3cretpw@redis-2:6379",
                    "redis://app:s3cretpw@redis-1:6379", "s3cretpw@redis-1:6379,", "redis-1:6379, ,:s3cretpw@r:1")) {
                Map<String, String> env = name.contains("SENTINEL")
                        ? Map.of(name, nodes, "RATELIMIT_REDIS_SENTINEL_MASTER", "mymaster")
                        : Map.of(name, nodes);
                assertThatThrownBy(() -> RateLimitSettings.load(null, env::get, null))
                        .as("%s=%s", name, nodes)
                        .isInstanceOf(IllegalArgumentException.class)
                        .satisfies(e -> assertThat(e.getMessage()).contains(name).contains("***")
                                .doesNotContain("s3c"));
            }
            assertThatThrownBy(() -> RedisRateLimiter.custom().clusterNodes("redis-1:6379", "app:s3cretpw@r:6379"))
                    .satisfies(e -> assertThat(e.getMessage()).contains("***").doesNotContain("s3c"));
            assertThatThrownBy(() -> RedisRateLimiter.custom().sentinel("m", List.of("app:s3cretpw@r:26379")))
                    .satisfies(e -> assertThat(e.getMessage()).contains("***").doesNotContain("s3c"));
        }
    }

    /** The partition-key secret (issue 19) is a secret: masked in the settings, never in an error. */
    @Test
    void thePartitionKeySecretIsNeitherShownNorInErrors() {
        RateLimitSettings settings = RateLimitSettings.load(null, Map.of("RATELIMIT_HEADERS_PARTITION_KEY", "true",
                "RATELIMIT_HEADERS_PARTITION_KEY_SECRET", SECRET)::get, null);
        assertThat(settings.toString()).contains("headers.partition-key-secret=***").doesNotContain(SECRET);
        assertThat(settings.partitionKeys().toString()).doesNotContain(SECRET);
        assertThat(settings.partitionKeys().of("alice")).doesNotContain("alice");
        assertThatThrownBy(() -> RateLimitSettings.load(null,
                Map.of("RATELIMIT_HEADERS_PARTITION_KEY_SECRET", "short-s3cret")::get, null))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains("RATELIMIT_HEADERS_PARTITION_KEY_SECRET")
                        .contains("at least 16 bytes").doesNotContain("s3cret"));
    }
}
