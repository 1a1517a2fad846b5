package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.client.RateLimitClientFilter;
import dev.ratelimit.client.RateLimitState;
import dev.ratelimit.testing.RedisServer;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client filter ({@code ratelimit-jaxrs-client}) against the example server, in its own JVM on its own clock: a
 * client that registers it and sends more requests than the limit allows never gets a 429 from any algorithm's
 * endpoint (5 per 10 s), because it waits as the server's {@code RateLimit} field says. The waits are the filter's
 * own (real time, a few seconds per endpoint, the endpoints in parallel); nothing here sleeps, and no duration is
 * asserted. The randomized runs on a controlled clock, with the bound on the wait, are the client module's
 * {@code OwnServerTest}.
 */
class ClientAgainstExampleIT {

    private static final String[] ALGORITHMS = {"fixed-window", "sliding-window-log", "sliding-window-counter",
        "token-bucket", "gcra"};

    private static ExampleProcess jetty;

    @BeforeAll
    static void start() throws Exception {
        RedisServer.shared().flushAll();
        jetty = ExampleProcess.start(Map.of("ratelimit.redis.url", RedisServer.shared().uri(),
                "ratelimit.trusted-proxies", "127.0.0.1, ::1"));
    }

    @AfterAll
    static void stop() {
        jetty.close();
    }

    @Test
    void anObedientClientIsNeverRefusedByAnyAlgorithm() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(ALGORITHMS.length);
        try {
            List<Future<List<Integer>>> runs = new ArrayList<>();
            for (int a = 0; a < ALGORITHMS.length; a++) {
                String algorithm = ALGORITHMS[a];
                String client = "203.0.113." + (60 + a);
                runs.add(pool.submit(() -> run(algorithm, client)));
            }
            for (int a = 0; a < ALGORITHMS.length; a++) {
                assertThat(runs.get(a).get()).as(ALGORITHMS[a] + ": 8 requests against 5 per 10 s").hasSize(8)
                        .containsOnly(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Eight requests as one client (its own forwarded address), through one filtered JAX-RS client. */
    private static List<Integer> run(String algorithm, String clientAddress) {
        RateLimitClientFilter filter = RateLimitClientFilter.custom().maxWait(Duration.ofSeconds(15)).build();
        Client client = ClientBuilder.newClient().register(filter);
        try {
            URI uri = jetty.uri("/api/algorithms/" + algorithm);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                try (Response r = client.target(uri).request().header("X-Forwarded-For", clientAddress).get()) {
                    statuses.add(r.getStatus());
                }
            }
            RateLimitState state = filter.state(uri);
            assertThat(state.policy(algorithm)).as(algorithm + ": the filter learned the policy").isPresent();
            return statuses;
        } finally {
            client.close();
        }
    }
}
