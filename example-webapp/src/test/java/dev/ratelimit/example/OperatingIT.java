package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example contract of docs/example.md, "Operating on limits", on two instances of the WAR sharing one Redis, with
 * the local denial cache on: {@code POST /api/login} counts only failed attempts (3 per 60 s per client IP), and the
 * admin endpoint ({@code admin/admin-secret}, role {@code ratelimit-admin}) looks at, resets and blocks a client, on
 * every instance. Each test plays its own clients through {@code X-Forwarded-For}. The login limit is a fixed window of
 * 60 s on Redis's clock, which the test cannot stop: a sequence that a window's end cut short is played again with a
 * new client, never judged.
 */
class OperatingIT {

    private static final AtomicInteger CLIENTS = new AtomicInteger(100);
    private static ExampleProcess a;
    private static ExampleProcess b;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = Map.of("ratelimit.redis.url", RedisServer.shared().uri(),
                "ratelimit.trusted-proxies", "127.0.0.1, ::1", "ratelimit.denial-cache.max-keys", "1000");
        a = ExampleProcess.start(settings);
        b = ExampleProcess.start(settings);
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static String newClient() {
        int n = CLIENTS.incrementAndGet();
        return "198.51.100." + (n % 150 + 100);
    }

    private static HttpResponse<String> login(ExampleProcess jetty, String client, String password) {
        return Http.postForm(jetty.uri("/api/login"), Map.of("user", "alice", "password", password),
                "X-Forwarded-For", client);
    }

    private static HttpResponse<String> admin(String method, ExampleProcess jetty, String path, String... auth) {
        return Http.request(method, jetty.uri("/admin/ratelimit" + path), auth);
    }

    private static String[] asAdmin() {
        return new String[] {"Authorization", Http.basic("admin", "admin-secret")};
    }

    /**
     * Three failed logins of one client, then a fourth attempt: a client whose failures all fell into one window of
     * the login limit (the seconds to its end, {@code X-RateLimit-Reset}, never grew), or null when a window ended
     * in between.
     */
    private static String clientWithThreeFailures(ExampleProcess jetty) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String client = newClient();
            long firstReset = -1;
            boolean oneWindow = true;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> failed = login(jetty, client, "wrong");
                assertThat(failed.statusCode()).isEqualTo(401);
                long reset = Long.parseLong(failed.headers().firstValue("X-RateLimit-Reset").orElse("0"));
                oneWindow &= firstReset < 0 || reset <= firstReset;
                firstReset = firstReset < 0 ? reset : firstReset;
            }
            if (oneWindow && firstReset > 5) {
                return client;
            }
        }
        throw new AssertionError("three attempts each straddled the end of a 60 s window");
    }

    @Test
    void loginCountsOnlyFailedAttemptsAndTheFourthAttemptIsRefusedEvenWithTheRightPassword() {
        String client = newClient();
        for (int i = 0; i < 6; i++) {
            assertThat(login(a, client, "alice-secret").statusCode()).as("success %d never counts", i + 1)
                    .isEqualTo(200);
        }
        String failing = clientWithThreeFailures(a);
        HttpResponse<String> refused = login(a, failing, "alice-secret");
        assertThat(refused.statusCode()).as("after three failures, even the right password").isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(login(b, failing, "alice-secret").statusCode()).as("on the other instance too").isEqualTo(429);
    }

    @Test
    void theAdminEndpointAsksForTheAdminRole() {
        String path = "/login/ip:" + newClient();
        assertThat(admin("GET", a, path).statusCode()).as("no credentials").isEqualTo(401);
        assertThat(admin("GET", a, path, "Authorization", Http.basic("alice", "alice-secret")).statusCode())
                .as("alice is no admin").isEqualTo(403);
        HttpResponse<String> peek = admin("GET", a, path, asAdmin());
        assertThat(peek.statusCode()).isEqualTo(200);
        assertThat(peek.body()).matches("\\{\"limit\":3,\"remaining\":3,\"reset\":0,\"retryAfter\":0}");
        HttpResponse<String> unknown = admin("GET", a, "/no-such-rule/ip:198.51.100.1", asAdmin());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void aResetOnOneInstanceLetsTheClientInOnEveryInstanceWithTheDenialCacheOn() {
        String client = clientWithThreeFailures(a);
        assertThat(login(a, client, "alice-secret").statusCode()).isEqualTo(429);
        assertThat(login(b, client, "alice-secret").statusCode()).as("b denies, and caches the denial")
                .isEqualTo(429);
        HttpResponse<String> peek = admin("GET", b, "/login/ip:" + client, asAdmin());
        assertThat(peek.body()).contains("\"remaining\":0");

        assertThat(admin("DELETE", a, "/login/ip:" + client, asAdmin()).statusCode()).isEqualTo(204);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        HttpResponse<String> after = login(b, client, "alice-secret");
        while (after.statusCode() == 429 && System.nanoTime() < deadline) {
            // the reset reaches b's denial cache through Redis, a message of a millisecond: each request waits for its
            // answer, and a refusal takes nothing (a success gives its permit back)
            after = login(b, client, "alice-secret");
        }
        assertThat(after.statusCode()).as("b let the client in within 5 s of the reset on a").isEqualTo(200);
        assertThat(login(a, client, "alice-secret").statusCode()).isEqualTo(200);
    }

    @Test
    void aBlockRefusesTheClientWithAnHonestRetryAfterOnEveryInstance() {
        String client = newClient();
        assertThat(admin("POST", a, "/login/ip:" + client + "/block?seconds=30", asAdmin()).statusCode())
                .isEqualTo(204);
        for (ExampleProcess jetty : new ExampleProcess[] {a, b}) {
            HttpResponse<String> blocked = login(jetty, client, "alice-secret");
            assertThat(blocked.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(blocked.headers().firstValue("Retry-After").orElse("0"))).isBetween(25L, 30L);
        }
    }
}
