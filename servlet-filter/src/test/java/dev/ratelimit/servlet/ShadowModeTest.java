package dev.ratelimit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shadow mode ({@code ratelimit.shadow=true}): every request is counted and gets its headers, none is refused,
 * and each would-be refusal is logged at INFO without the client's key.
 */
class ShadowModeTest {

    private final RedisRateLimiter limiter = RedisRateLimiter.custom().uri(RedisServer.shared().uri())
            .timeout(Duration.ofSeconds(2)).keyPrefix("servlet-shadow").timeSource(new ManualClock()).build();
    private TestServer jetty;

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
        limiter.close();
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void wouldBeRefusalsAreServedWithHeadersButNoRetryAfterAndAreLogged() throws Exception {
        jetty = new TestServer().applicationLimiter(limiter)
                .contextParam("ratelimit.shadow", "true")
                .filter("trial", "/*", "limit", "1", "window", "1h", "key", "HEADER", "keyHeader", "X-Api-Key")
                .start();

        HttpResponse<String> first = jetty.get("/reports/7", "X-Api-Key", "sk_live_0123456789");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "RateLimit")).isEqualTo("\"trial\";r=0;t=3600");

        String log = capturingStandardError(() -> {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = jetty.get("/reports/7", "X-Api-Key", "sk_live_0123456789");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("ok");
                assertThat(header(r, "RateLimit-Policy")).isEqualTo("\"trial\";q=1;w=3600");
                assertThat(header(r, "RateLimit")).isEqualTo("\"trial\";r=0;t=3600");
                assertThat(header(r, "X-RateLimit-Limit")).isEqualTo("1");
                assertThat(header(r, "X-RateLimit-Remaining")).isEqualTo("0");
                assertThat(header(r, "X-RateLimit-Reset")).isEqualTo("3600");
                assertThat(header(r, "Retry-After")).isNull();
            }
        });

        assertThat(jetty.invocations.get()).isEqualTo(4);
        String line = "INFO dev.ratelimit.internal.http.RequestDecider - Shadow mode: /app/reports/7 REDIS would have been "
                + "rejected by limit 'trial' (retry in 3600 s)";
        assertThat(log.lines().filter(l -> l.contains("Shadow mode")).map(l -> l.substring(l.indexOf("] ") + 2)))
                .as("one line per would-be refusal, after the thread name")
                .containsExactly(line, line, line);
        assertThat(log).as("the client's key is a secret").doesNotContain("sk_live");
    }

    /** What slf4j-simple (which writes to the current {@code System.err}) logs while {@code action} runs. */
    private static String capturingStandardError(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }
}
