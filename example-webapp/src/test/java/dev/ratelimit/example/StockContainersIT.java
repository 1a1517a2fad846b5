package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import dev.ratelimit.testing.StockContainer;
import dev.ratelimit.testing.StockContainer.Kind;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/**
 * The example WAR deploys unchanged into a stock Apache Tomcat 10.1 and a stock Eclipse Jetty 12 (ee10), as
 * distributed, configured only by the environment variables {@code RATELIMIT_REDIS_URL} and
 * {@code RATELIMIT_TRUSTED_PROXIES}, and serves the essentials of its contract against a real Redis. The loopback is
 * a trusted proxy, so the test plays its clients through {@code X-Forwarded-For}, in a range of its own per container.
 */
class StockContainersIT {

    /** Tomcat's warning when an undeployed webapp left a thread running. */
    private static final String THREAD_LEAK = "but has failed to stop it";

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theUnchangedWarServesItsContract(Kind kind) throws Exception {
        RedisServer redis = RedisServer.shared();
        redis.flushAll();
        String clients = kind == Kind.TOMCAT ? "203.0.113." : "192.0.2.";

        Path war = Path.of(StockContainer.requiredProperty("example.war"));
        try (StockContainer container = StockContainer.start(kind, war, StockContainer.Options.properties("example")
                .withEnvironment(Map.of(
                        "RATELIMIT_REDIS_URL", redis.uri(),
                        "RATELIMIT_TRUSTED_PROXIES", "127.0.0.1,::1"))
                .awaitingHealth("/health"))) {

            HttpResponse<String> health = Http.get(container.uri("/health"));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).as("/health on %s", container)
                    .contains("\"store\":\"redis\"").contains("\"breaker\":\"CLOSED\"");

            String limited = fiveThenDenied(container, "/api/algorithms/fixed-window", clients, 10,
                    "\"fixed-window\";q=5;w=10");
            assertThat(get(container, "/api/algorithms/fixed-window", limited + "1").statusCode())
                    .as("another client").isEqualTo(200);

            HttpResponse<String> anonymous = get(container, "/api/me", clients + "20");
            assertThat(anonymous.statusCode()).isEqualTo(401);
            HttpResponse<String> alice = get(container, "/api/me", clients + "20",
                    "Authorization", Http.basic("alice", "alice-secret"));
            assertThat(alice.statusCode()).isEqualTo(200);
            assertThat(alice.body()).isEqualTo("{\"user\":\"alice\"}");
            try (RedisClient client = redis.client()) {
                // a sliding-window log keeps its key for a whole window after the last request, so it is still there;
                // a fixed-window counter (the burst above) may already have expired with its window
                assertThat(client.keys("rl:*")).as("the counters are in Redis, keyed by principal")
                        .contains("rl:{user:alice}:me:swl:3:10000");
            }

            fiveThenDenied(container, "/legacy/hello", clients, 30, "\"legacy\";q=5;w=10");
            // an asynchronous servlet behind the same filter: 200 with the headers, each request counted once
            fiveThenDenied(container, "/legacy/async", clients, 35, "\"legacy\";q=5;w=10");
            // OPTIONS (CORS preflights) are neither counted nor decorated
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> preflight = Http.request("OPTIONS", container.uri("/legacy/hello"),
                        "X-Forwarded-For", clients + 50, "Origin", "https://app.example",
                        "Access-Control-Request-Method", "GET");
                assertThat(preflight.statusCode()).as("OPTIONS %d on %s", i + 1, container).isEqualTo(200);
                assertThat(preflight.headers().firstValue("RateLimit")).isEmpty();
            }
            HttpResponse<String> afterPreflights = get(container, "/legacy/hello", clients + 50);
            assertThat(afterPreflights.headers().firstValue("X-RateLimit-Remaining"))
                    .as("the preflights took no permit").hasValue("4");
            assertThat(afterPreflights.headers().allValues("Cache-Control")).as("one client's quota, on %s", container)
                    .containsExactly("private");

            HttpResponse<String> unlimited = get(container, "/api/unlimited", clients + "40");
            assertThat(unlimited.statusCode()).isEqualTo(200);
            assertThat(unlimited.headers().firstValue("RateLimit")).isEmpty();

            assertThat(container.stop()).as("%s stops on SIGTERM", container).isTrue();
            assertThat(container.isAlive()).isFalse();
            String logs = container.output() + container.containerLogs();
            System.out.println(kind + " log lines at WARN or above:\n" + logs.lines()
                    .filter(line -> line.contains(" WARNING ") || line.contains(" SEVERE ")
                            || line.contains(":WARN :") || line.contains(":ERROR:") || line.startsWith("WARNING:")
                            || line.startsWith("SEVERE:") || line.contains(" WARN ") || line.contains(" ERROR "))
                    .distinct()
                    .collect(Collectors.joining("\n")));
            if (kind == Kind.TOMCAT) {
                // StandardService stops the engine, and with it the webapp (where WebappClassLoaderBase reports
                // leaked threads), between these two lines
                assertThat(logs).as("Tomcat stopped its engine and webapp gracefully")
                        .containsPattern("(?s)Stopping service \\[Catalina\\].*Stopping ProtocolHandler");
                assertThat(logs).as("no thread or memory leak reported when Tomcat stopped the WAR")
                        .doesNotContain(THREAD_LEAK).doesNotContain("memory leak");
                assertThat(logs).as("nothing SEVERE in Tomcat's log").doesNotContain(" SEVERE ");
            } else {
                assertThat(logs).as("Jetty undeployed the WAR")
                        .containsPattern("Stopped oeje10w.WebAppContext@.*\\{ratelimit example,/,");
                assertThat(logs).as("no warning or error of Jetty's")
                        .doesNotContain(":WARN :").doesNotContain(":ERROR:");
            }
        }
    }

    /**
     * Requires 5 requests allowed and the 6th denied for one client of {@code path}, with a fresh client for each
     * attempt whose requests straddled a fixed-window boundary (the remaining count starts over then).
     *
     * @return the client that was denied
     */
    private static String fiveThenDenied(StockContainer container, String path, String clients, int firstClient,
            String policy) {
        attempts:
        for (int attempt = 0; attempt < 3; attempt++) {
            String client = clients + (firstClient + attempt);
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> ok = get(container, path, client);
                assertThat(ok.statusCode()).as("request %d of %s to %s", i + 1, client, path).isEqualTo(200);
                assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue(policy);
                if (!ok.headers().firstValue("X-RateLimit-Remaining").orElse("").equals(String.valueOf(4 - i))) {
                    continue attempts; // a new window began
                }
            }
            HttpResponse<String> denied = get(container, path, client);
            if (denied.statusCode() == 200
                    && denied.headers().firstValue("X-RateLimit-Remaining").orElse("").equals("4")) {
                continue; // a new window began
            }
            assertThat(denied.statusCode()).as("request 6 of %s to %s", client, path).isEqualTo(429);
            assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(denied.headers().firstValue("Retry-After")).isPresent();
            assertThat(denied.headers().firstValue("RateLimit-Policy")).hasValue(policy);
            assertThat(denied.body()).contains("\"status\":429").contains("\"instance\":\"" + path + "\"");
            return client;
        }
        throw new AssertionError("every attempt straddled a fixed-window boundary of " + path);
    }

    private static HttpResponse<String> get(StockContainer container, String path, String client,
            String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "X-Forwarded-For";
        all[1] = client;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return Http.get(container.uri(path), all);
    }
}
