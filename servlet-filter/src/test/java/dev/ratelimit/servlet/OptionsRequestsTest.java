package dev.ratelimit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import java.net.http.HttpResponse;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code OPTIONS} requests, which browsers send on their own as CORS preflights, in a real Jetty 12 (ee10): by
 * default neither counted nor decorated, as in the JAX-RS binding; counted like any method with
 * {@code ratelimit.count-options=true}, context-wide or per filter. The default (uncounted, undecorated) and the
 * context-wide {@code true} are asserted for both bindings by the binding contract
 * ({@link ServletBindingContractTest}); here, the setting per filter.
 */
class OptionsRequestsTest {

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(new ManualClock()).build();
    private TestServer jetty;

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

    private HttpResponse<String> preflight(String path) {
        return jetty.request("OPTIONS", path, "Origin", "https://app.example", "Access-Control-Request-Method", "GET");
    }

    private static void assertNoRateLimitHeaders(HttpResponse<String> response) {
        assertThat(response.headers().map().keySet())
                .noneMatch(h -> h.toLowerCase(Locale.ROOT).contains("ratelimit") || h.equalsIgnoreCase("Retry-After"));
    }

    @Test
    void countOptionsIsAPerFilterSetting() throws Exception {
        jetty().contextParam("ratelimit.count-options", "true")
                .filter("counted", "/counted/*", "limit", "1", "window", "1h")
                .filter("free", "/free/*", "limit", "1", "window", "1h", "ratelimit.count-options", "false")
                .filter("also-counted", "/also/*", "limit", "1", "window", "1h", "ratelimit.count-options", "TRUE")
                .start();

        assertThat(preflight("/counted/x").statusCode()).isEqualTo(200);
        assertThat(preflight("/counted/x").statusCode()).isEqualTo(429);

        assertThat(preflight("/free/x").statusCode()).isEqualTo(200);
        HttpResponse<String> free = preflight("/free/x");
        assertThat(free.statusCode()).isEqualTo(200);
        assertNoRateLimitHeaders(free);
        assertThat(jetty.get("/free/x").statusCode()).isEqualTo(200);

        assertThat(preflight("/also/x").statusCode()).isEqualTo(200);
        assertThat(preflight("/also/x").statusCode()).isEqualTo(429);
    }
}
