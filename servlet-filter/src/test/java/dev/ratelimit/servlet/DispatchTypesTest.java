package dev.ratelimit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.servlet.DispatcherType;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The filter with asynchronous servlets and on every dispatcher type, in a real Jetty 12 (ee10): a client request is
 * counted once per filter, however often the container dispatches it through the filter, and the headers of that one
 * decision are on its response, also when the response completes asynchronously.
 */
class DispatchTypesTest {

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(new ManualClock()).build();
    private final AsyncServlet async = new AsyncServlet();
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

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** What is left of {@code name}'s limit of {@code limit} per hour for this client, found by taking one more. */
    private long remainingAfterOneMore(String name, long limit) {
        return limiter.acquire("ip:127.0.0.1", RateLimitRule.custom().name(name).limit(limit).window("1h").build())
                .remaining();
    }

    @Test
    void anAsyncServletCompletesWith200AndTheHeadersAndEachRequestIsCountedOnce() throws Exception {
        jetty().filter("async-limit", "/async/*", "limit", "2", "window", "1h")
                .servlet("async", async, "/async/*").start();

        HttpResponse<String> first = jetty.get("/async/x");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("async");
        assertThat(header(first, "RateLimit-Policy")).isEqualTo("\"async-limit\";q=2;w=3600");
        assertThat(header(first, "RateLimit")).isEqualTo("\"async-limit\";r=1;t=1800");
        assertThat(header(first, "X-RateLimit-Remaining")).isEqualTo("1");

        HttpResponse<String> second = jetty.get("/async/x");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("async");
        assertThat(header(second, "X-RateLimit-Remaining")).isEqualTo("0");

        HttpResponse<String> denied = jetty.get("/async/x");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(header(denied, "RateLimit")).as("t: the retry-after, one token")
                .isEqualTo("\"async-limit\";r=0;t=1800");
        assertThat(async.invocations.get()).as("the 429 answered without the servlet starting async").isEqualTo(2);
    }

    @Test
    void anAsyncDispatchOfACountedRequestIsNeitherCountedAgainNorRefused() throws Exception {
        jetty().filter("async-limit", "/async/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC),
                        "limit", "2", "window", "1h")
                .servlet("async", async, "/async/*").start();

        HttpResponse<String> first = jetty.get("/async/x?then=dispatch");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("async dispatch");
        assertThat(header(first, "X-RateLimit-Remaining")).as("counted on REQUEST only").isEqualTo("1");
        assertThat(header(first, "RateLimit")).isEqualTo("\"async-limit\";r=1;t=1800");

        HttpResponse<String> second = jetty.get("/async/x?then=dispatch");
        assertThat(second.statusCode()).as("the ASYNC dispatch of the last permitted request is not refused")
                .isEqualTo(200);
        assertThat(second.body()).isEqualTo("async dispatch");
        assertThat(header(second, "X-RateLimit-Remaining")).isEqualTo("0");

        HttpResponse<String> denied = jetty.get("/async/x?then=dispatch");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(async.invocations.get()).isEqualTo(2);
        assertThat(async.asyncDispatches.get()).isEqualTo(2);
    }

    @Test
    void aForwardToALimitedPathIsCountedOnceWhetherOrNotTheRequestWasCountedBefore() throws Exception {
        AtomicInteger targets = new AtomicInteger();
        jetty().filter("fwd-limit", "/legacy/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD),
                        "limit", "4", "window", "1h")
                .servlet("front", new ServletOf((req, res) ->
                        req.getRequestDispatcher("/legacy" + req.getPathInfo()).forward(req, res)), "/front/*")
                .servlet("legacy-forward", new ServletOf((req, res) ->
                        req.getRequestDispatcher("/legacy/target").forward(req, res)), "/legacy/forward")
                .servlet("target", new ServletOf((req, res) -> {
                    targets.incrementAndGet();
                    res.getWriter().write("target");
                }), "/legacy/target")
                .start();

        // from an unlimited front controller: the forward is the first time the filter sees the request
        HttpResponse<String> viaFront = jetty.get("/front/target");
        assertThat(viaFront.statusCode()).isEqualTo(200);
        assertThat(viaFront.body()).isEqualTo("target");
        assertThat(header(viaFront, "X-RateLimit-Remaining")).isEqualTo("3");

        // within the limited path: counted on REQUEST, not again on FORWARD
        HttpResponse<String> within = jetty.get("/legacy/forward");
        assertThat(within.statusCode()).isEqualTo(200);
        assertThat(header(within, "X-RateLimit-Remaining")).isEqualTo("2");

        assertThat(jetty.get("/front/target").statusCode()).isEqualTo(200);
        assertThat(jetty.get("/legacy/forward").statusCode()).isEqualTo(200);
        HttpResponse<String> denied = jetty.get("/front/target");
        assertThat(denied.statusCode()).as("a forward over the limit is refused").isEqualTo(429);
        assertThat(header(denied, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(denied.body()).contains("\"status\":429");
        assertThat(targets.get()).isEqualTo(4);
    }

    @Test
    void anIncludeIsNeitherCountedNorRefused() throws Exception {
        jetty().filter("inc-limit", "/legacy/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.INCLUDE),
                        "limit", "2", "window", "1h")
                .servlet("page", new ServletOf((req, res) -> {
                    res.getWriter().write("page:");
                    req.getRequestDispatcher("/legacy/fragment").include(req, res);
                }), "/page")
                .servlet("legacy-page", new ServletOf((req, res) -> {
                    res.getWriter().write("legacy page:");
                    req.getRequestDispatcher("/legacy/fragment").include(req, res);
                }), "/legacy/page")
                .servlet("fragment", new ServletOf((req, res) -> res.getWriter().write("fragment")),
                        "/legacy/fragment")
                .start();

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> page = jetty.get("/page");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).isEqualTo("page:fragment");
            assertThat(header(page, "RateLimit")).as("an included resource cannot set headers").isNull();
        }
        HttpResponse<String> legacy = jetty.get("/legacy/page");
        assertThat(legacy.statusCode()).isEqualTo(200);
        assertThat(legacy.body()).isEqualTo("legacy page:fragment");
        assertThat(header(legacy, "X-RateLimit-Remaining")).as("counted once, on REQUEST").isEqualTo("1");
        assertThat(remainingAfterOneMore("inc-limit", 2)).isEqualTo(0);
    }

    @Test
    void anErrorDispatchIsNeitherCountedNorRefusedAndTheErrorResponseKeepsTheHeaders() throws Exception {
        AtomicInteger errorPages = new AtomicInteger();
        jetty().filter("err-limit", "/legacy/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR),
                        "limit", "2", "window", "1h")
                .servlet("fail", new ServletOf((req, res) -> {
                    throw new IllegalStateException("boom");
                }), "/legacy/fail")
                .servlet("other-fail", new ServletOf((req, res) -> {
                    throw new IllegalStateException("boom");
                }), "/other/fail")
                .servlet("error-page", new ServletOf((req, res) -> {
                    errorPages.incrementAndGet();
                    res.getWriter().write("error page");
                }), "/legacy/error")
                .errorPage("/legacy/error")
                .start();

        HttpResponse<String> failed = jetty.get("/legacy/fail");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).isEqualTo("error page");
        assertThat(header(failed, "X-RateLimit-Remaining")).as("counted once, on REQUEST").isEqualTo("1");

        HttpResponse<String> last = jetty.get("/legacy/fail");
        assertThat(last.statusCode()).as("the error page of the last permitted request is not refused")
                .isEqualTo(500);
        assertThat(last.body()).isEqualTo("error page");
        assertThat(header(last, "X-RateLimit-Remaining")).isEqualTo("0");

        HttpResponse<String> denied = jetty.get("/legacy/fail");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(errorPages.get()).isEqualTo(2);

        // a failure on a path the filter does not limit: its error page, though under the filter, is not refused
        HttpResponse<String> unlimited = jetty.get("/other/fail");
        assertThat(unlimited.statusCode()).isEqualTo(500);
        assertThat(unlimited.body()).isEqualTo("error page");
        assertThat(header(unlimited, "RateLimit")).isNull();
        assertThat(errorPages.get()).isEqualTo(3);
    }
}
