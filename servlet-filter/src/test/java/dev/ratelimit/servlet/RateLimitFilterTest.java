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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the servlet filter does, in a real Jetty 12 (ee10) deciding in a real Redis: URL-pattern mapping, numbered
 * limits from init-params, the application's limiter and metrics from context attributes, per-filter settings,
 * non-HTTP requests. The application supplies the limiter (a {@link RedisRateLimiter} on a {@link ManualClock},
 * through the context attribute the filters read), so no time passes and every header value is exact. The behaviour
 * both bindings share is asserted by {@link ServletBindingContractTest}.
 */
class RateLimitFilterTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();

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
    void exemptionsArePerFilterSettingsAreCountedAsExemptAndListedAtInit() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String log = capturingStandardError(() -> jetty().applicationMetrics(MicrometerMetrics.of(registry))
                .principalFromHeader()
                .contextParam("ratelimit.exempt.principals", "monitor")
                .filter("api", "/api/*", "limit", "1", "window", "1h")
                .filter("admin", "/admin/*", "limit", "1", "window", "1h", "ratelimit.exempt.principals", "root",
                        "ratelimit.exempt.roles", "ops", "ratelimit.exempt.networks", "192.0.2.0/24, 2001:db8::/32")
                .start());

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> exempt = jetty.get("/api/x", TestPrincipalFilter.HEADER, "monitor");
            assertThat(exempt.statusCode()).isEqualTo(200);
            assertThat(header(exempt, "RateLimit")).isNull();
            assertThat(header(exempt, "Cache-Control")).isNull();
            assertThat(jetty.get("/admin/x", TestPrincipalFilter.HEADER, "root").statusCode()).isEqualTo(200);
            assertThat(jetty.get("/admin/x", TestPrincipalFilter.HEADER, "bob", TestPrincipalFilter.ROLE_HEADER,
                    "ops").statusCode()).isEqualTo(200);
        }
        assertThat(jetty.get("/admin/x", TestPrincipalFilter.HEADER, "monitor").statusCode())
                .as("the filter's own list replaces the context's").isEqualTo(200);
        assertThat(jetty.get("/admin/x", TestPrincipalFilter.HEADER, "monitor").statusCode()).isEqualTo(429);
        assertThat(jetty.get("/api/x", TestPrincipalFilter.HEADER, "root").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/api/x", TestPrincipalFilter.HEADER, "root").statusCode()).isEqualTo(429);
        assertThat(jetty.invocations.get()).isEqualTo(11);

        assertThat(registry.find("ratelimit.decisions").tags("limit", "api", "outcome", "exempt", "store", "none")
                .counter().count()).isEqualTo(3);
        assertThat(registry.find("ratelimit.decisions").tags("limit", "admin", "outcome", "exempt", "store", "none")
                .counter().count()).isEqualTo(6);
        assertThat(registry.find("ratelimit.decisions").tags("limit", "admin", "outcome", "allowed").counter()
                .count()).isEqualTo(1);
        assertThat(log).contains("INFO dev.ratelimit.servlet.RateLimitFilter - Rate-limit filter 'admin': \"admin\" "
                + "1 per 1h (TOKEN_BUCKET, key PRINCIPAL_OR_IP); headers BOTH, shadow false, OPTIONS not counted, "
                + "RequestKeys[trustedProxies=[], ipv6PrefixLength=128], exempt networks [192.0.2.0/24, "
                + "2001:db8::/32], principals [root], roles [ops]; ");
        assertThat(log).contains("Rate-limit filter 'api': \"api\" 1 per 1h (TOKEN_BUCKET, key PRINCIPAL_OR_IP); "
                + "headers BOTH, shadow false, OPTIONS not counted, RequestKeys[trustedProxies=[], "
                + "ipv6PrefixLength=128], exempt principals [monitor]; ");
    }

    /** What slf4j-simple (which writes to the current {@code System.err}) logs while {@code action} runs. */
    private static String capturingStandardError(ThrowingRunnable action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
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
