package dev.ratelimit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Responses that carry rate-limit headers describe one client's quota, so the filter makes them
 * {@code Cache-Control: private} (the core's {@code RateLimitHeaders.cacheControl}, as in the JAX-RS binding), also
 * when the servlet or an earlier filter sets a {@code Cache-Control} of its own. In a real Jetty 12 (ee10). That
 * allowed and denied responses are {@code private} and others left alone is asserted for both bindings by the binding
 * contract ({@link ServletBindingContractTest}).
 */
class CacheControlTest {

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

    private static String cacheControl(HttpResponse<String> response) {
        return String.join(", ", response.headers().allValues("Cache-Control"));
    }

    /** A servlet that answers after setting (or adding, with {@code ?add}) the Cache-Control in {@code ?cc}. */
    private static ServletOf cacheControlServlet() {
        return new ServletOf((req, res) -> {
            for (String value : req.getParameterValues("cc") == null ? new String[0] : req.getParameterValues("cc")) {
                if (req.getParameter("add") != null) {
                    res.addHeader("cache-control", value);
                } else {
                    res.setHeader("Cache-Control", value);
                }
            }
            res.getWriter().write("ok");
        });
    }

    @Test
    void theServletsOwnDirectivesAreKeptAndPublicGivesWayToPrivate() throws Exception {
        jetty().filter("api", "/api/*", "limit", "100", "window", "1h")
                .servlet("cc", cacheControlServlet(), "/api/cc").start();

        assertThat(cacheControl(jetty.get("/api/cc?cc=no-store"))).isEqualTo("no-store, private");
        assertThat(cacheControl(jetty.get("/api/cc?cc=public,%20max-age=60"))).isEqualTo("max-age=60, private");
        assertThat(cacheControl(jetty.get("/api/cc?cc=private,%20max-age=5"))).isEqualTo("private, max-age=5");
        assertThat(cacheControl(jetty.get("/api/cc?add&cc=no-cache&cc=public")))
                .as("added field lines").isEqualTo("private, no-cache");
    }

    @Test
    void aCacheControlSetByAnEarlierFilterIsMadePrivate() throws Exception {
        Filter publicCache = (req, res, chain) -> {
            ((jakarta.servlet.http.HttpServletResponse) res).setHeader("Cache-Control", "public, max-age=600");
            chain.doFilter(req, res);
        };
        jetty();
        jetty.context.addFilter(new FilterHolder(publicCache), "/*", EnumSet.of(DispatcherType.REQUEST));
        jetty.filter("api", "/api/*", "limit", "1", "window", "1h").start();

        assertThat(cacheControl(jetty.get("/api/x"))).isEqualTo("max-age=600, private");
        assertThat(cacheControl(jetty.get("/api/x"))).as("denied").isEqualTo("max-age=600, private");
        assertThat(cacheControl(jetty.get("/free/x"))).as("not limited").isEqualTo("public, max-age=600");
    }

    @Test
    void withoutRateLimitHeadersTheResponseIsLeftAlone() throws Exception {
        jetty().filter("quiet", "/quiet/*", "limit", "1", "window", "1h", "ratelimit.headers", "NONE")
                .servlet("cc", cacheControlServlet(), "/quiet/cc").start();

        HttpResponse<String> allowed = jetty.get("/quiet/cc?cc=public,%20max-age=60");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(cacheControl(allowed)).isEqualTo("public, max-age=60");
        HttpResponse<String> denied = jetty.get("/quiet/cc");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.headers().firstValue("Retry-After")).isPresent();
        assertThat(cacheControl(denied)).as("a denial carries Retry-After, one client's").isEqualTo("private");
    }

    @Test
    void anAsynchronouslyCompletedResponseIsPrivate() throws Exception {
        jetty().filter("async", "/async/*", "limit", "2", "window", "1h")
                .servlet("async", new AsyncServlet(), "/async/*").start();

        HttpResponse<String> response = jetty.get("/async/x");
        assertThat(response.body()).isEqualTo("async");
        assertThat(cacheControl(response)).isEqualTo("private");
    }
}
