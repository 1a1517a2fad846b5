package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.StockContainer;
import dev.ratelimit.testing.StockContainer.Kind;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A limited JAX-RS request whose resource throws an exception no {@code ExceptionMapper} handles gets the container's
 * 500 with the rate-limit headers it was counted with, in stock Tomcat 10.1 and Jetty 12 (issue 17, "Also"): the
 * binding sets them on the servlet response before the resource runs, since no response filter runs for that 500.
 */
class UnmappedExceptionIT {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theContainers500CarriesTheHeaders(Kind kind) throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("example.stock.dir"), "variants"));
        Path war = ExampleWars.withApplication(ThrowingApplication.class, true, true,
                dir.resolve("throwing-" + kind.name().toLowerCase(Locale.ROOT) + ".war"));
        try (StockContainer container = StockContainer.start(kind, war,
                StockContainer.Options.properties("example").awaitingHealth("/health"))) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> failed = Http.get(container.uri("/api/throwing"));
                assertThat(failed.statusCode()).as("%s", container).isEqualTo(500);
                assertThat(failed.headers().firstValue("RateLimit-Policy")).as("%s", container)
                        .hasValue("\"throwing\";q=5;w=60");
                assertThat(failed.headers().firstValue("X-RateLimit-Remaining")).as("%s", container)
                        .hasValue(String.valueOf(4 - i));
                // Tomcat keeps the binding's Cache-Control; Jetty's error handler sets its own, which no cache may store
                assertThat(failed.headers().firstValue("Cache-Control")).as("%s", container)
                        .hasValue(kind == Kind.TOMCAT ? "private" : "must-revalidate,no-cache,no-store");
            }
        }
    }
}
