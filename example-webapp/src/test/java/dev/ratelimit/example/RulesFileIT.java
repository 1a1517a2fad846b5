package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example contract of docs/example.md, "Limits at run time": {@code RATELIMIT_RULES_FILE} names a rules file whose
 * line {@code fixed-window.limit=7} makes {@code /api/algorithms/fixed-window} (declared 5 per 10 s) allow 7; changing
 * the line to 2 takes effect within 5 s without a restart; a malformed line is logged and ignored, and the last good
 * value stays. {@code /health} lists the effective rules. Each check uses a new client (its own
 * {@code X-Forwarded-For}, the example trusting the local proxy), so it asserts only the first request's answer of a
 * client, which no window boundary can change.
 */
class RulesFileIT {

    private static final String PATH = "/api/algorithms/fixed-window";
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    @TempDir
    Path dir;

    @Test
    void aRulesFileChangeTakesEffectWithinFiveSecondsAndABadLineIsIgnored() throws Exception {
        Path rules = dir.resolve("rules.properties");
        Files.writeString(rules, "# operator overrides\nfixed-window.limit=7\n");
        try (ExampleProcess jetty = ExampleProcess.start(Map.of("ratelimit.trusted-proxies", "127.0.0.1, ::1"),
                Map.of("RATELIMIT_RULES_FILE", rules.toString()))) {
            assertThat(policyOfANewClient(jetty)).isEqualTo("\"fixed-window\";q=7;w=10");
            assertThat(jetty.output()).as("the startup listing shows the rule the file makes")
                    .anyMatch(line -> line.contains("fixed-window[7 per PT10S, FIXED_WINDOW"));
            assertThat(Http.get(jetty.uri("/health")).body())
                    .contains("{\"name\":\"fixed-window\",\"limit\":7,\"window\":\"PT10S\",\"algorithm\":\"FIXED_WINDOW\"");

            Files.writeString(rules, "fixed-window.limit=2\n");
            jetty.awaitOutput(line -> line.contains("The rules file " + rules) && line.contains("changed: overrides "
                    + "fixed-window.limit=2"), Duration.ofSeconds(5), "the change applied within 5 s");
            assertThat(policyOfANewClient(jetty)).isEqualTo("\"fixed-window\";q=2;w=10");
            assertThat(Http.get(jetty.uri("/health")).body()).contains("{\"name\":\"fixed-window\",\"limit\":2,");

            Files.writeString(rules, "fixed-window.limit=two\nfixed-window.cost=1\n");
            String warning = jetty.awaitOutput(line -> line.contains("line 1: fixed-window.limit='two'"),
                    Duration.ofSeconds(5), "the bad line logged within 5 s");
            assertThat(warning).contains("WARN").contains("the line is ignored, and fixed-window.limit stays 2");
            assertThat(policyOfANewClient(jetty)).as("the last good value stays").isEqualTo("\"fixed-window\";q=2;w=10");
        }
    }

    /** The {@code RateLimit-Policy} a new client's first request gets. */
    private static String policyOfANewClient(ExampleProcess jetty) throws Exception {
        HttpResponse<String> r = Http.get(jetty.uri(PATH), "X-Forwarded-For",
                "198.51.100." + (CLIENTS.incrementAndGet() % 250 + 1));
        assertThat(r.statusCode()).as("a new client's first request").isEqualTo(200);
        return r.headers().firstValue("RateLimit-Policy").orElse("");
    }
}
