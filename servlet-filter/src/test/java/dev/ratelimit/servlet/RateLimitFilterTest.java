package dev.ratelimit.servlet;

import dev.ratelimit.internal.config.ApplicationLimiter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filter in a real Jetty 12 (ee10), deciding in a real Redis. The application supplies the limiter (a
 * {@link RedisRateLimiter} on a {@link ManualClock}, through the context attribute the filters read), so no time
 * passes unless a test moves the clock and every header value is exact.
 */
class RateLimitFilterTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final String PROBLEM_JSON = "application/problem+json";

    private final ManualClock clock = new ManualClock();
    private RedisRateLimiter limiter;
    private TestServer jetty;

    @BeforeEach
    void redisLimiterOnAManualClock() {
        limiter = RedisRateLimiter.custom()
                .uri(RedisServer.shared().uri())
                .timeout(Duration.ofSeconds(2))
                .keyPrefix("servlet-test-" + PREFIXES.incrementAndGet())
                .timeSource(clock)
                .build();
    }

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
        limiter.close();
    }

    private TestServer jetty() {
        jetty = new TestServer().applicationLimiter(limiter);
        return jetty;
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void overTheLimitIsAnswered429WithExactHeadersAndProblemBodyWithoutRunningTheServlet() throws Exception {
        jetty().contextParam("ratelimit.trusted-proxies", "127.0.0.1")
                .filter("legacy-limit", "/legacy/*", "limit", "3", "window", "1m", "key", "IP").start();

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = jetty.getFrom("198.51.100.1", "/legacy/report");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("ok");
            // a token bucket of 3 per minute refills one permit every 20 s
            assertThat(header(ok, "RateLimit-Policy")).isEqualTo("\"legacy-limit\";q=3;w=60");
            assertThat(header(ok, "RateLimit")).isEqualTo("\"legacy-limit\";r=" + (2 - i) + ";t=" + (20 * (i + 1)));
            assertThat(header(ok, "X-RateLimit-Limit")).isEqualTo("3");
            assertThat(header(ok, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
            assertThat(header(ok, "X-RateLimit-Reset")).isEqualTo(String.valueOf(20 * (i + 1)));
            assertThat(header(ok, "Retry-After")).isNull();
        }

        HttpResponse<String> denied = jetty.getFrom("198.51.100.1", "/legacy/report");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "Content-Type")).isEqualTo(PROBLEM_JSON);
        assertThat(header(denied, "Retry-After")).isEqualTo("20");
        assertThat(header(denied, "RateLimit-Policy")).isEqualTo("\"legacy-limit\";q=3;w=60");
        assertThat(header(denied, "RateLimit")).isEqualTo("\"legacy-limit\";r=0;t=60");
        assertThat(header(denied, "X-RateLimit-Limit")).isEqualTo("3");
        assertThat(header(denied, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(header(denied, "X-RateLimit-Reset")).isEqualTo("60");
        assertThat(denied.body()).isEqualTo("{\"type\":\"https://ratelimit.dev/problems/rate-limited\","
                + "\"title\":\"Too Many Requests\",\"status\":429,"
                + "\"detail\":\"Rate limit \\\"legacy-limit\\\" of 3 per 1m exceeded; retry in 20 s.\","
                + "\"instance\":\"/app/legacy/report\",\"retryAfter\":20}");
        assertThat(header(denied, "Content-Length")).isEqualTo(String.valueOf(denied.body().length()));
        assertThat(jetty.invocations.get()).as("the servlet ran for the allowed requests only").isEqualTo(3);

        clock.advance(Duration.ofSeconds(20));
        HttpResponse<String> again = jetty.getFrom("198.51.100.1", "/legacy/report");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(header(again, "RateLimit")).isEqualTo("\"legacy-limit\";r=0;t=60");
        assertThat(jetty.invocations.get()).isEqualTo(4);
    }

    @Test
    void onlyMappedPathsAreLimited() throws Exception {
        jetty().filter("legacy-limit", "/legacy/*", "limit", "1", "window", "1h").start();

        assertThat(jetty.get("/legacy/a").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/legacy/b").statusCode()).isEqualTo(429);
        HttpResponse<String> free = jetty.get("/public/a");
        assertThat(free.statusCode()).isEqualTo(200);
        assertThat(free.headers().map().keySet())
                .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).contains("ratelimit"));
    }

    @Test
    void eachClientIsCountedApartBehindATrustedProxy() throws Exception {
        jetty().contextParam("ratelimit.trusted-proxies", "127.0.0.1, ::1")
                .filter("per-ip", "/*", "limit", "2", "window", "1h", "key", "IP").start();

        assertThat(jetty.getFrom("198.51.100.7", "/x").statusCode()).isEqualTo(200);
        assertThat(jetty.getFrom("198.51.100.7", "/x").statusCode()).isEqualTo(200);
        assertThat(jetty.getFrom("198.51.100.7", "/x").statusCode()).isEqualTo(429);

        HttpResponse<String> other = jetty.getFrom("198.51.100.8", "/x");
        assertThat(other.statusCode()).as("another client has its own counter").isEqualTo(200);
        assertThat(header(other, "X-RateLimit-Remaining")).isEqualTo("1");

        // the right-most untrusted address is the client: whatever a client prepends, it stays itself
        assertThat(jetty.getFrom("10.9.9.9, 198.51.100.7", "/x").statusCode()).isEqualTo(429);
        assertThat(jetty.getFrom("198.51.100.99, 198.51.100.7", "/x").statusCode()).isEqualTo(429);
        assertThat(jetty.invocations.get()).isEqualTo(3);
        assertThat(limiter.acquire("ip:198.51.100.7", ruleOf("per-ip", 2)).remaining())
                .as("counted in Redis under the forwarded client address").isEqualTo(0);
        assertThat(limiter.acquire("ip:198.51.100.8", ruleOf("per-ip", 2)).remaining()).isEqualTo(0);
    }

    @Test
    void spoofedForwardingHeadersFromAnUntrustedPeerCannotEscapeTheLimit() throws Exception {
        // no trusted proxies: X-Forwarded-For and Forwarded are the client's own words, and ignored
        jetty().filter("per-ip", "/*", "limit", "2", "window", "1h", "key", "IP").start();

        assertThat(jetty.getFrom("198.51.100.1", "/x").statusCode()).isEqualTo(200);
        assertThat(jetty.getFrom("198.51.100.2", "/x").statusCode()).isEqualTo(200);
        assertThat(jetty.getFrom("198.51.100.3", "/x").statusCode()).isEqualTo(429);
        assertThat(jetty.get("/x", "Forwarded", "for=198.51.100.4").statusCode()).isEqualTo(429);
        assertThat(jetty.get("/x").statusCode()).isEqualTo(429);
        assertThat(jetty.invocations.get()).isEqualTo(2);
        assertThat(limiter.acquire("ip:127.0.0.1", ruleOf("per-ip", 2)).allowed())
                .as("every request counted against the socket peer").isFalse();
    }

    @Test
    void headerKeysCountPerValueAndARequestWithoutTheHeaderCountsByIp() throws Exception {
        jetty().filter("per-key", "/*", "limit", "2", "window", "1h", "key", "HEADER", "keyHeader", "X-Api-Key")
                .start();

        assertThat(jetty.get("/x", "X-Api-Key", "k1").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/x", "X-Api-Key", "k1").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/x", "X-Api-Key", "k1").statusCode()).isEqualTo(429);
        HttpResponse<String> k2 = jetty.get("/x", "X-Api-Key", "k2");
        assertThat(k2.statusCode()).isEqualTo(200);
        assertThat(header(k2, "X-RateLimit-Remaining")).isEqualTo("1");

        HttpResponse<String> anonymous = jetty.get("/x");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(header(anonymous, "X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(limiter.acquire("ip:127.0.0.1", ruleOf("per-key", 2)).remaining())
                .as("without the header, the request counted by its IP").isEqualTo(0);
    }

    @Test
    void theAuthenticatedPrincipalIsTheKeyAndAnonymousRequestsCountByIp() throws Exception {
        jetty().principalFromHeader()
                .filter("per-user", "/*", "limit", "2", "window", "1h").start();

        assertThat(jetty.get("/x", TestPrincipalFilter.HEADER, "alice").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/x", TestPrincipalFilter.HEADER, "alice").statusCode()).isEqualTo(200);
        HttpResponse<String> third = jetty.get("/x", TestPrincipalFilter.HEADER, "alice");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.body()).contains("\"detail\":\"Rate limit \\\"per-user\\\" of 2 per 1h exceeded; "
                + "retry in 1800 s.\"");

        assertThat(jetty.get("/x", TestPrincipalFilter.HEADER, "bob").statusCode()).isEqualTo(200);
        HttpResponse<String> anonymous = jetty.get("/x");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(header(anonymous, "X-RateLimit-Remaining")).isEqualTo("1");

        assertThat(limiter.acquire("user:alice", ruleOf("per-user", 2)).allowed()).isFalse();
        assertThat(limiter.acquire("user:bob", ruleOf("per-user", 2)).remaining()).isEqualTo(0);
        assertThat(limiter.acquire("ip:127.0.0.1", ruleOf("per-user", 2)).remaining()).isEqualTo(0);
    }

    @Test
    void aKeyResolverNamedInTheInitParamsServesCustomKeys() throws Exception {
        jetty().filter("per-tenant", "/*", "limit", "1", "window", "1h", "key", "CUSTOM",
                "keyResolver", TenantKeyResolver.class.getName()).start();

        assertThat(jetty.get("/x", "X-Tenant", "t1").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/x", "X-Tenant", "t1").statusCode()).isEqualTo(429);
        assertThat(jetty.get("/x", "X-Tenant", "t2").statusCode()).isEqualTo(200);
        assertThat(limiter.acquire("custom:tenant-t2", ruleOf("per-tenant", 1)).allowed()).isFalse();
    }

    @Test
    void severalLimitsAllApplyAndTheMostRestrictiveIsReported() throws Exception {
        jetty().contextParam("ratelimit.trusted-proxies", "127.0.0.1")
                .filter("search", "/*",
                        "limit.1", "2", "window.1", "1s", "name.1", "per-second",
                        "limit.2", "4", "window.2", "10s", "name.2", "per-ten",
                        "algorithm", "FIXED_WINDOW")
                .start();

        HttpResponse<String> first = jetty.getFrom("198.51.100.20", "/search");
        assertThat(header(first, "RateLimit-Policy")).isEqualTo("\"per-second\";q=2;w=1, \"per-ten\";q=4;w=10");
        assertThat(header(first, "RateLimit")).isEqualTo("\"per-second\";r=1;t=1");
        assertThat(header(first, "X-RateLimit-Limit")).isEqualTo("2");
        assertThat(jetty.getFrom("198.51.100.20", "/search").statusCode()).isEqualTo(200);
        HttpResponse<String> third = jetty.getFrom("198.51.100.20", "/search");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(header(third, "Retry-After")).isEqualTo("1");
        assertThat(third.body()).contains("\"detail\":\"Rate limit \\\"per-second\\\" of 2 per 1s exceeded; "
                + "retry in 1 s.\"");

        clock.advance(Duration.ofSeconds(1));
        assertThat(jetty.getFrom("198.51.100.20", "/search").statusCode()).isEqualTo(200);
        HttpResponse<String> fourth = jetty.getFrom("198.51.100.20", "/search");
        assertThat(fourth.statusCode()).isEqualTo(200);
        // both have none left: the one that takes longer to come back is reported
        assertThat(header(fourth, "RateLimit")).isEqualTo("\"per-ten\";r=0;t=9");
        assertThat(header(fourth, "X-RateLimit-Limit")).isEqualTo("4");

        clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> fifth = jetty.getFrom("198.51.100.20", "/search");
        assertThat(fifth.statusCode()).as("the 10 s limit of 4 is used up").isEqualTo(429);
        assertThat(header(fifth, "Retry-After")).isEqualTo("8");
        assertThat(fifth.body()).isEqualTo("{\"type\":\"https://ratelimit.dev/problems/rate-limited\","
                + "\"title\":\"Too Many Requests\",\"status\":429,"
                + "\"detail\":\"Rate limit \\\"per-ten\\\" of 4 per 10s exceeded; retry in 8 s.\","
                + "\"instance\":\"/app/search\",\"retryAfter\":8}");
        assertThat(jetty.invocations.get()).isEqualTo(4);
    }

    @Test
    void numberedLimitsInheritTheUnnumberedKeyAndAreNamedAfterTheFilter() throws Exception {
        jetty().filter("api", "/*", "key", "HEADER", "keyHeader", "X-Api-Key",
                "limit.1", "1", "window.1", "1m",
                "limit.2", "5", "window.2", "1h", "algorithm.2", "SLIDING_WINDOW_LOG").start();

        HttpResponse<String> first = jetty.get("/x", "X-Api-Key", "k1");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "RateLimit-Policy")).isEqualTo("\"api.1\";q=1;w=60, \"api.2\";q=5;w=3600");
        assertThat(header(first, "RateLimit")).isEqualTo("\"api.1\";r=0;t=60");
        assertThat(jetty.get("/x", "X-Api-Key", "k1").statusCode()).isEqualTo(429);
        assertThat(jetty.get("/x", "X-Api-Key", "k2").statusCode()).as("both limits are keyed by the header")
                .isEqualTo(200);
    }

    @Test
    void costTakesSeveralPermitsAndASharedNameSharesOneCounterAcrossFilters() throws Exception {
        jetty().filter("export", "/export/*", "limit", "5", "window", "1h", "name", "heavy", "cost", "2")
                .filter("report", "/report/*", "limit", "5", "window", "1h", "name", "heavy")
                .start();

        assertThat(header(jetty.get("/export/a"), "X-RateLimit-Remaining")).isEqualTo("3");
        assertThat(header(jetty.get("/report/a"), "X-RateLimit-Remaining")).isEqualTo("2");
        assertThat(header(jetty.get("/export/a"), "X-RateLimit-Remaining")).isEqualTo("0");
        HttpResponse<String> denied = jetty.get("/report/a");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "RateLimit-Policy")).isEqualTo("\"heavy\";q=5;w=3600");
        assertThat(jetty.invocations.get()).isEqualTo(3);
    }

    @Test
    void theApplicationsLimiterIsUsedByEveryFilterAndNeverClosedByThem() throws Exception {
        jetty().filter("a", "/a/*", "limit", "1", "window", "1h").filter("b", "/b/*", "limit", "1", "window", "1h")
                .start();
        assertThat(jetty.get("/a/x").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/b/x").statusCode()).isEqualTo(200);
        assertThat(jetty.servletContext().getAttribute(ApplicationLimiter.OWNER_ATTRIBUTE))
                .as("no limiter of our own was created").isNull();

        jetty.close();
        jetty = null;
        assertThat(limiter.acquire("ip:127.0.0.1", ruleOf("a", 1)).store())
                .as("still open after the filters were destroyed").isEqualTo(Store.REDIS);
    }

    @Test
    void decisionsAreCountedInTheApplicationsMetrics() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        jetty().applicationMetrics(MicrometerMetrics.of(registry))
                .filter("metered", "/m/*", "limit", "2", "window", "1h", "algorithm", "FIXED_WINDOW").start();
        for (int i = 0; i < 5; i++) {
            jetty.get("/m/x");
        }
        assertThat(registry.find("ratelimit.decisions").tags("limit", "metered", "outcome", "allowed", "store",
                "redis").counter().count()).isEqualTo(2);
        assertThat(registry.find("ratelimit.decisions").tags("limit", "metered", "outcome", "denied", "store",
                "redis").counter().count()).isEqualTo(3);
    }

    @Test
    void perFilterSettingsOverrideTheContextParamsForThatFilterOnly() throws Exception {
        jetty().contextParam("ratelimit.headers", "IETF")
                .filter("strict", "/strict/*", "limit", "1", "window", "1h")
                .filter("trial", "/trial/*", "limit", "1", "window", "1h",
                        "ratelimit.headers", "LEGACY", "ratelimit.shadow", "true")
                .start();

        jetty.get("/strict/x");
        HttpResponse<String> strict = jetty.get("/strict/x");
        assertThat(strict.statusCode()).isEqualTo(429);
        assertThat(header(strict, "RateLimit")).isEqualTo("\"strict\";r=0;t=3600");
        assertThat(header(strict, "X-RateLimit-Remaining")).isNull();
        assertThat(header(strict, "Retry-After")).isEqualTo("3600");

        jetty.get("/trial/x");
        HttpResponse<String> trial = jetty.get("/trial/x");
        assertThat(trial.statusCode()).as("shadow mode in this filter only").isEqualTo(200);
        assertThat(header(trial, "RateLimit")).isNull();
        assertThat(header(trial, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(header(trial, "X-RateLimit-Reset")).isEqualTo("3600");
        assertThat(header(trial, "Retry-After")).isNull();
        assertThat(jetty.invocations.get()).isEqualTo(3);
    }

    @Test
    void requestsThatAreNotHttpPassThroughUntouched() throws Exception {
        RateLimitFilter filter = new RateLimitFilter();
        ServletRequest request = (ServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServletRequest.class}, (proxy, method, args) -> {
                    throw new AssertionError("the filter must not look at a non-HTTP request: " + method);
                });
        ServletResponse response = (ServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServletResponse.class}, (proxy, method, args) -> {
                    throw new AssertionError("the filter must not touch a non-HTTP response: " + method);
                });
        List<Object> passed = new ArrayList<>();
        FilterChain chain = (req, res) -> {
            passed.add(req);
            passed.add(res);
        };

        filter.doFilter(request, response, chain);

        assertThat(passed.size()).isEqualTo(2);
        assertThat(passed.get(0) == request).as("the same request passed on").isTrue();
        assertThat(passed.get(1) == response).as("the same response passed on").isTrue();
    }

    private static RateLimitRule ruleOf(String name, long limit) {
        return RateLimitRule.custom().name(name).limit(limit).window("1h").build();
    }
}
