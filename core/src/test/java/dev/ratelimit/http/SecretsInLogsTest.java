package dev.ratelimit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A Redis password reaches neither the log (startup summary, breaker transitions with the last Redis error) nor an
 * exception message. The test logger (slf4j-simple) writes to whatever {@code System.err} is at the time, so the
 * test captures it.
 */
@Isolated
class SecretsInLogsTest {

    private static final String SECRET = "Pa55-w0rd-that-must-not-leak";

    @Test
    void thePasswordIsNeitherLoggedNorInErrors() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // nothing listens there once closed
        }
        String url = "redis://app:" + SECRET + "@127.0.0.1:" + closedPort + "/0";
        RateLimitSettings settings = RateLimitSettings.load(null, Map.of("RATELIMIT_REDIS_URL", url)::get, null);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (RateLimiter limiter = settings.createLimiter()) {
            RateLimitRule rule = RateLimitRule.custom().name("api").limit(5).window("1m").build();
            for (int i = 0; i < 30; i++) {
                Decision d = limiter.acquire("alice", rule);
                assertThat(d.store()).isEqualTo(Store.FALLBACK);
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("the startup summary and the breaker's WARN were logged")
                .contains("app:***@127.0.0.1:" + closedPort).contains("Redis is failing");
        assertThat(log).doesNotContain(SECRET);

        assertThatThrownBy(() -> RateLimitSettings.load(null,
                Map.of("RATELIMIT_REDIS_URL", "redis://app:" + SECRET + "@127.0.0.1:notaport")::get, null))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains("RATELIMIT_REDIS_URL").doesNotContain(SECRET));
    }
}
