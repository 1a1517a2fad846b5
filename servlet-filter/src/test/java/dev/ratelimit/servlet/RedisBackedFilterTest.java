package dev.ratelimit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.redis.RedisTestAccess;
import dev.ratelimit.testing.RedisServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The limiter the filters build from the global settings ({@code context-param}s): decisions in a real Redis, the
 * in-memory fallback while Redis is down, and {@code 503} under the fail-closed policy.
 */
class RedisBackedFilterTest {

    private TestServer jetty;
    private RedisServer ownRedis;

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
        if (ownRedis != null) {
            ownRedis.close();
        }
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void decisionsAreMadeInTheRedisNamedByTheContextParams() throws Exception {
        RedisServer redis = RedisServer.shared();
        jetty = new TestServer()
                .contextParam("ratelimit.redis.url", redis.uri())
                .contextParam("ratelimit.redis.key-prefix", "servlet-settings")
                .contextParam("ratelimit.trusted-proxies", "127.0.0.1")
                .filter("per-ip", "/*", "limit", "2", "window", "1h", "key", "IP")
                .start();

        assertThat(header(jetty.getFrom("198.51.100.1", "/x"), "X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(header(jetty.getFrom("198.51.100.1", "/x"), "X-RateLimit-Remaining")).isEqualTo("0");
        HttpResponse<String> denied = jetty.getFrom("198.51.100.1", "/x");
        assertThat(denied.statusCode()).isEqualTo(429);
        // Redis's own clock runs here: a permit comes back every 1800 s, less what passed since the first request
        long retry = Long.parseLong(header(denied, "Retry-After"));
        assertThat(retry).isBetween(1790L, 1800L);
        assertThat(denied.body()).isEqualTo("{\"type\":\"https://ratelimit.dev/problems/rate-limited\","
                + "\"title\":\"Too Many Requests\",\"status\":429,"
                + "\"detail\":\"Rate limit \\\"per-ip\\\" of 2 per 1h exceeded; retry in " + retry + " s.\","
                + "\"instance\":\"/app/x\",\"retryAfter\":" + retry + "}");

        RateLimitRule rule = RateLimitRule.custom().name("per-ip").limit(2).window("1h").key(KeySource.IP).build();
        String stateKey;
        try (RedisRateLimiter keys = RedisRateLimiter.custom().uri(redis.uri()).keyPrefix("servlet-settings")
                .build()) {
            stateKey = RedisTestAccess.stateKey(keys, "ip:198.51.100.1", rule);
        }
        assertThat(stateKey).isEqualTo("servlet-settings:{ip:198.51.100.1}:per-ip:tb:2:3600000");
        try (RedisClient client = redis.client()) {
            assertThat(client.exists(stateKey)).as("the counter lives in Redis").isTrue();
            assertThat(client.pttl(stateKey)).as("with a TTL").isPositive();
        }
    }

    @Test
    void whileRedisIsDownTheInMemoryFallbackKeepsEnforcingTheLimit() throws Exception {
        ownRedis = RedisServer.start();
        jetty = new TestServer()
                .contextParam("ratelimit.redis.url", ownRedis.uri())
                .filter("per-ip", "/*", "limit", "2", "window", "1h")
                .start();
        assertThat(header(jetty.get("/x"), "X-RateLimit-Remaining")).isEqualTo("1");

        ownRedis.kill();
        // the fallback starts from a fresh count of its own: Redis's count is out of reach
        HttpResponse<String> first = jetty.get("/x");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(header(jetty.get("/x"), "X-RateLimit-Remaining")).isEqualTo("0");
        HttpResponse<String> denied = jetty.get("/x");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).startsWith("{\"type\":\"https://ratelimit.dev/problems/rate-limited\"");
        assertThat(jetty.invocations.get()).isEqualTo(3);
    }

    @Test
    void whileRedisIsDownTheDenyPolicyAnswers503WithAProblemBody() throws Exception {
        ownRedis = RedisServer.start();
        jetty = new TestServer()
                .contextParam("ratelimit.redis.url", ownRedis.uri())
                .contextParam("ratelimit.fallback.policy", "DENY")
                .filter("per-ip", "/*", "limit", "100", "window", "1h")
                .start();
        assertThat(jetty.get("/x").statusCode()).isEqualTo(200);

        ownRedis.kill();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = jetty.get("/api/orders");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(header(r, "Content-Type")).isEqualTo("application/problem+json");
            // the breaker's wait before it probes Redis again (ratelimit.breaker.wait-in-open-state, 5 s)
            assertThat(header(r, "Retry-After")).isEqualTo("5");
            assertThat(header(r, "RateLimit")).as("nothing was counted, so no quota is reported").isNull();
            assertThat(header(r, "X-RateLimit-Remaining")).isNull();
            assertThat(r.body()).isEqualTo("{\"type\":\"https://ratelimit.dev/problems/rate-limiter-unavailable\","
                    + "\"title\":\"Service Unavailable\",\"status\":503,"
                    + "\"detail\":\"The rate limiter is temporarily unavailable; retry in 5 s.\","
                    + "\"instance\":\"/app/api/orders\",\"retryAfter\":5}");
        }
        assertThat(jetty.invocations.get()).isEqualTo(1);
    }
}
