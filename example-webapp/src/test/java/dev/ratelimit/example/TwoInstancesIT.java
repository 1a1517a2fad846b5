package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two Jetty instances of the WAR sharing one Redis enforce one global limit. */
class TwoInstancesIT {

    private static ExampleProcess first;
    private static ExampleProcess second;

    @BeforeAll
    static void start() throws Exception {
        RedisServer.shared().flushAll();
        Map<String, String> settings = Map.of("ratelimit.redis.url", RedisServer.shared().uri(),
                "ratelimit.redis.timeout", "1s", "ratelimit.trusted-proxies", "127.0.0.1, ::1");
        first = ExampleProcess.start(settings);
        second = ExampleProcess.start(settings);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
    }

    @Test
    void alternatingRequestsShareOneLimit() {
        int allowed = 0;
        for (int i = 0; i < 12; i++) {
            ExampleProcess instance = i % 2 == 0 ? first : second;
            int status = Http.get(instance.uri("/api/algorithms/sliding-window-log"),
                    "X-Forwarded-For", "203.0.113.1").statusCode();
            assertThat(status).isIn(200, 429);
            allowed += status == 200 ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(5);
    }

    @Test
    void concurrentRequestsOnBothInstancesShareOneLimit() throws Exception {
        int threads = 16;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ExampleProcess instance = t % 2 == 0 ? first : second;
                results.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    int ok = 0;
                    for (int i = 0; i < 4; i++) {
                        int status = Http.get(instance.uri("/api/algorithms/sliding-window-log"),
                                "X-Forwarded-For", "203.0.113.2").statusCode();
                        if (status == 200) {
                            ok++;
                        } else if (status != 429) {
                            throw new AssertionError("unexpected status " + status);
                        }
                    }
                    return ok;
                }));
            }
            int allowed = 0;
            for (Future<Integer> result : results) {
                allowed += result.get(60, TimeUnit.SECONDS);
            }
            // 64 requests well inside 10 s: the sliding log is exact over any 10 s interval
            assertThat(allowed).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }
}
