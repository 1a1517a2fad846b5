package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis dies while requests flow: no 5xx, /health shows the breaker open, the fallback still enforces the limits;
 * Redis comes back: the breaker closes without restarting Jetty. The breaker's wait is shortened to 1 s here, and
 * the test polls /health (each poll a request, so a probe) until it reports the state, with a deadline.
 */
class RedisOutageIT {

    private static RedisServer redis;
    private static ExampleProcess jetty;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        jetty = ExampleProcess.start(Map.of(
                "ratelimit.redis.url", redis.uri(),
                "ratelimit.breaker.wait-in-open-state", "1s",
                "ratelimit.trusted-proxies", "127.0.0.1, ::1"));
    }

    @AfterAll
    static void stop() {
        jetty.close();
        redis.close();
    }

    private HttpResponse<String> call(String client) {
        return Http.get(jetty.uri("/api/algorithms/fixed-window"), "X-Forwarded-For", client);
    }

    @Test
    void redisOutageAndRecovery() {
        assertThat(call("203.0.113.50").statusCode()).isEqualTo(200);
        assertThat(Http.get(jetty.uri("/health")).body()).contains("\"breaker\":\"CLOSED\"");

        redis.kill();
        int allowed = 0;
        for (int i = 0; i < 20; i++) {
            int status = call("203.0.113.51").statusCode();
            assertThat(status).as("request %d while Redis is down", i).isIn(200, 429);
            allowed += status == 200 ? 1 : 0;
        }
        assertThat(allowed).as("the in-memory fallback enforces 5 per 10 s").isBetween(5, 10);
        assertThat(Http.get(jetty.uri("/health")).body()).contains("\"store\":\"redis\"")
                .contains("\"breaker\":\"OPEN\"");

        redis.restart();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String health = "";
        while (System.nanoTime() < deadline) {
            call("203.0.113.52"); // traffic lets the half-open breaker probe Redis
            health = Http.get(jetty.uri("/health")).body();
            if (health.contains("\"breaker\":\"CLOSED\"")) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // polling a deployed app, not waiting out a window
        }
        assertThat(health).contains("\"breaker\":\"CLOSED\"");
        try (var client = redis.client()) {
            assertThat(client.keys("rl:*")).as("decisions are written to Redis again").isNotEmpty();
        }
    }
}
