package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example WAR in a real Jetty with a real Redis, driven over HTTP: every endpoint's contract. Jetty trusts the
 * loopback as a proxy here, so each test plays its own client through {@code X-Forwarded-For}.
 */
class ExampleEndpointsIT {

    private static ExampleProcess jetty;
    /** The output up to the ready line, before any request. */
    private static List<String> startupOutput;

    @BeforeAll
    static void start() throws Exception {
        RedisServer.shared().flushAll();
        jetty = ExampleProcess.start(Map.of(
                "ratelimit.redis.url", RedisServer.shared().uri(),
                "ratelimit.trusted-proxies", "127.0.0.1, ::1"));
        startupOutput = jetty.output();
    }

    @Test
    void theServletFilterAndTheJaxrsApplicationShareOneLimiterCreatedAtStartup() {
        List<String> created = startupOutput.stream().filter(line -> line.contains("Rate limiting with Redis at"))
                .toList();
        assertThat(created).as("one limiter for the web application, created and logged before any request")
                .hasSize(1);
        assertThat(startupOutput).as("the filter started, then the JAX-RS application, which found the limiter")
                .anyMatch(line -> line.contains("Rate-limit filter 'legacy-limit'")
                        && line.contains("the web application's shared limiter"))
                .anyMatch(line -> line.contains("the JAX-RS application of the root web application uses the limiter "
                        + "rate-limit filter 'legacy-limit' created"))
                .noneMatch(line -> line.contains("its own limiter settings differ"));
    }

    @AfterAll
    static void stop() {
        jetty.close();
    }

    private HttpResponse<String> get(String path, String client, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "X-Forwarded-For";
        all[1] = client;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return Http.get(jetty.uri(path), all);
    }

    /**
     * Sends {@code count} requests and returns the answers of the first of three attempts that ran inside one window
     * of a 5-per-10-s limit: within 1.5 s (a token bucket or GCRA of 5 per 10 s gives a permit back every 2 s) and
     * with each admitted request taking exactly one from the remaining count (otherwise a window ended: a fixed window
     * starts over, and a sliding counter's previous window weighs less). The limit runs on Redis's clock, which
     * the test cannot stop, so an attempt that a stalled machine spread out is repeated, never judged.
     *
     * @param headers the request headers of request {@code index} of attempt {@code attempt}, as name, value, …
     */
    private List<HttpResponse<String>> burst(String path, int count, BiFunction<Integer, Integer, String[]> headers) {
        attempts:
        for (int attempt = 0; attempt < 3; attempt++) {
            long start = System.nanoTime();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                answers.add(Http.get(jetty.uri(path), headers.apply(attempt, i)));
            }
            if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(1500)) {
                continue;
            }
            int previous = Integer.MAX_VALUE;
            for (HttpResponse<String> answer : answers) {
                int remaining = answer.headers().firstValue("X-RateLimit-Remaining").map(Integer::parseInt)
                        .orElse(previous);
                boolean admitted = answer.statusCode() == 200 && previous != Integer.MAX_VALUE;
                if (remaining > previous || (admitted && remaining != previous - 1)) {
                    // a new window began: a fixed window starts over, a sliding counter's previous window weighs
                    // less, so an admitted request no longer takes exactly one from what remains
                    continue attempts;
                }
                previous = remaining;
            }
            return answers;
        }
        throw new AssertionError("no attempt at " + path + " fitted in one window; the machine is too slow");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed-window", "sliding-window-log", "sliding-window-counter", "token-bucket", "gcra"})
    void eachAlgorithmAllowsFivePerTenSecondsPerClient(String algorithm) {
        String path = "/api/algorithms/" + algorithm;
        List<HttpResponse<String>> answers = burst(path, 6,
                (attempt, i) -> new String[] {"X-Forwarded-For", ip(algorithm.length() * 10 + attempt)});
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = answers.get(i);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{\"endpoint\":\"" + algorithm + "\",\"ok\":true}");
            assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"" + algorithm + "\";q=5;w=10");
            assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).hasValue(String.valueOf(4 - i));
        }
        HttpResponse<String> denied = answers.get(5);
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(denied.headers().firstValue("Retry-After")).isPresent();
        assertThat(denied.body()).contains("\"status\":429").contains("\"instance\":\"" + path + "\"");
        assertThat(get(path, ip(algorithm.length() * 10 + 5)).statusCode()).as("another client").isEqualTo(200);
    }

    /** A documentation address (198.51.100.0/24) per number. */
    private static String ip(int n) {
        return "198.51.100." + n;
    }

    @Test
    void planLimitsComeFromTheConfigurationByRole() {
        // a sliding log of 3 per 10 s: exact over any 10 s, so only a machine stalled for 10 s could spread these out
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = get("/api/plan", "198.51.100.40", "Authorization",
                    Http.basic("alice", "alice-secret"));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{\"user\":\"alice\",\"plan\":\"free\"}");
            assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"plan\";q=3;w=10");
            assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).hasValue(String.valueOf(2 - i));
        }
        assertThat(get("/api/plan", "198.51.100.40", "Authorization", Http.basic("alice", "alice-secret"))
                .statusCode()).isEqualTo(429);

        for (int i = 0; i < 10; i++) {
            HttpResponse<String> ok = get("/api/plan", "198.51.100.41", "Authorization",
                    Http.basic("bob", "bob-secret"));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{\"user\":\"bob\",\"plan\":\"pro\"}");
            assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"plan\";q=10;w=10");
            assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).hasValue(String.valueOf(9 - i));
        }
        HttpResponse<String> bobDenied = get("/api/plan", "198.51.100.41", "Authorization",
                Http.basic("bob", "bob-secret"));
        assertThat(bobDenied.statusCode()).isEqualTo(429);
        assertThat(bobDenied.body()).contains("\"detail\":\"Rate limit \\\"plan\\\" of 10 per 10s exceeded;");

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> exempt = get("/api/plan", "198.51.100.42", "Authorization",
                    Http.basic("carol", "carol-secret"));
            assertThat(exempt.statusCode()).isEqualTo(200);
            assertThat(exempt.body()).isEqualTo("{\"user\":\"carol\",\"plan\":\"internal\"}");
            assertThat(exempt.headers().map().keySet()).as("no rate-limit header")
                    .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).contains("ratelimit"))
                    .noneMatch(name -> name.equalsIgnoreCase("Retry-After"));
        }
    }

    @Test
    void meNeedsBasicAuthAndCountsPerUser() {
        assertThat(get("/api/me", "198.51.100.30").statusCode()).isEqualTo(401);
        assertThat(get("/api/me", "198.51.100.30", "Authorization", Http.basic("alice", "wrong")).statusCode())
                .isEqualTo(401);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = get("/api/me", "198.51.100.30", "Authorization",
                    Http.basic("alice", "alice-secret"));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{\"user\":\"alice\"}");
        }
        assertThat(get("/api/me", "198.51.100.31", "Authorization", Http.basic("alice", "alice-secret"))
                .statusCode()).as("alice from another address is still alice").isEqualTo(429);
        assertThat(get("/api/me", "198.51.100.30", "Authorization", Http.basic("bob", "bob-secret")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void multiAppliesTwoLimits() {
        // The server's clock decides: an attempt proves the 2-per-second limit only if its three requests fell
        // within one second, so a stalled machine retries with a fresh client instead of failing or passing falsely.
        for (int attempt = 0; attempt < 3; attempt++) {
            String client = "198.51.100." + (40 + attempt);
            long start = System.nanoTime();
            HttpResponse<String> first = get("/api/multi", client);
            HttpResponse<String> second = get("/api/multi", client);
            HttpResponse<String> third = get("/api/multi", client);
            if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(900)) {
                continue;
            }
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("RateLimit-Policy"))
                    .hasValue("\"multi-per-second\";q=2;w=1, \"multi-per-10s\";q=4;w=10");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.headers().firstValue("RateLimit")).as("the most restrictive remaining")
                    .hasValueSatisfying(v -> assertThat(v).startsWith("\"multi-per-second\";r=0;"));
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.body()).contains("multi-per-second");
            return;
        }
        throw new AssertionError("three requests never fitted in one second; the machine is too slow for this test");
    }

    @Test
    void headerKeysCountPerApiKey() {
        // the sixth request comes from another address with the same key: still the same counter
        List<HttpResponse<String>> answers = burst("/api/key/header", 6, (attempt, i) -> new String[] {
            "X-Forwarded-For", i < 5 ? "198.51.100.50" : "198.51.100.51", "X-Api-Key", "key-1-" + attempt});
        for (int i = 0; i < 5; i++) {
            assertThat(answers.get(i).statusCode()).isEqualTo(200);
        }
        assertThat(answers.get(5).statusCode()).isEqualTo(429);
        assertThat(get("/api/key/header", "198.51.100.50", "X-Api-Key", "key-2").statusCode()).isEqualTo(200);
    }

    @Test
    void unlimitedHasNoHeadersAndHighNeverDenies() {
        HttpResponse<String> free = get("/api/unlimited", "198.51.100.60");
        assertThat(free.statusCode()).isEqualTo(200);
        assertThat(free.headers().firstValue("RateLimit")).isEmpty();
        assertThat(free.headers().firstValue("X-RateLimit-Limit")).isEmpty();
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> high = get("/api/high", "198.51.100.61");
            assertThat(high.statusCode()).isEqualTo(200);
            assertThat(high.headers().firstValue("X-RateLimit-Limit")).hasValue("1000000");
        }
    }

    @Test
    void theLegacyServletIsLimitedByTheServletFilter() {
        List<HttpResponse<String>> answers = burst("/legacy/hello", 6,
                (attempt, i) -> new String[] {"X-Forwarded-For", ip(70 + attempt)});
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = answers.get(i);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"legacy\";q=5;w=10");
            assertThat(ok.headers().allValues("Cache-Control")).containsExactly("private");
        }
        HttpResponse<String> denied = answers.get(5);
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).contains("\"instance\":\"/legacy/hello\"");
        assertThat(denied.headers().allValues("Cache-Control")).containsExactly("private");
        assertThat(get("/legacy/hello", ip(79)).statusCode()).isEqualTo(200);
    }

    @Test
    void theAsyncLegacyServletIsLimitedByTheSameFilterAndCountedOncePerRequest() {
        List<HttpResponse<String>> answers = burst("/legacy/async", 6,
                (attempt, i) -> new String[] {"X-Forwarded-For", ip(60 + attempt)});
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = answers.get(i);
            assertThat(ok.statusCode()).as("request %d", i + 1).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{\"endpoint\":\"legacy/async\",\"ok\":true}");
            assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"legacy\";q=5;w=10");
        }
        HttpResponse<String> denied = answers.get(5);
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).contains("\"instance\":\"/legacy/async\"");
    }

    @Test
    void optionsRequestsAreNeitherCountedNorDecoratedByTheServletFilter() {
        String client = ip(66);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> preflight = Http.request("OPTIONS", jetty.uri("/legacy/hello"),
                    "X-Forwarded-For", client, "Origin", "https://app.example", "Access-Control-Request-Method", "GET");
            assertThat(preflight.statusCode()).isEqualTo(200);
            assertThat(preflight.headers().firstValue("RateLimit")).isEmpty();
            assertThat(preflight.headers().firstValue("X-RateLimit-Remaining")).isEmpty();
        }
        HttpResponse<String> get = get("/legacy/hello", client);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("X-RateLimit-Remaining")).as("the preflights took no permit").hasValue("4");
    }

    @Test
    void healthShowsRedisAndAClosedBreaker() {
        HttpResponse<String> health = Http.get(jetty.uri("/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"store\":\"redis\"").contains("\"breaker\":\"CLOSED\"");
        assertThat(health.headers().firstValue("RateLimit")).isEmpty();
    }

    @Test
    void metricsAreServedInPrometheusFormat() {
        String allowed = "ratelimit_decisions_total{limit=\"gcra\",outcome=\"allowed\",store=\"redis\"} ";
        String denied = "ratelimit_decisions_total{limit=\"gcra\",outcome=\"denied\",store=\"redis\"} ";
        String before = Http.get(jetty.uri("/metrics")).body();
        String client = "198.51.100.90";
        for (int i = 0; i < 7; i++) {
            get("/api/algorithms/gcra", client);
        }
        HttpResponse<String> metrics = Http.get(jetty.uri("/metrics"));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.headers().firstValue("RateLimit")).as("not rate limited").isEmpty();
        String body = metrics.body();
        assertThat(body).contains("# TYPE ratelimit_decisions_total counter")
                .contains("ratelimit_redis_calls_seconds_count{outcome=\"success\"}")
                .contains("resilience4j_circuitbreaker_state{name=\"redis\",state=\"closed\"} 1.0")
                .doesNotContain(client);
        assertThat(sample(body, allowed) - sample(before, allowed)).isEqualTo(5);
        assertThat(sample(body, denied) - sample(before, denied)).isEqualTo(2);
    }

    /** The value of the sample line starting with {@code series}, 0 when there is none yet. */
    private static double sample(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series)) {
                return Double.parseDouble(line.substring(series.length()).trim());
            }
        }
        return 0;
    }

    @Test
    void theStartPageIsServed() {
        HttpResponse<String> page = Http.get(jetty.uri("/"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>ratelimit example</title>");
    }
}
