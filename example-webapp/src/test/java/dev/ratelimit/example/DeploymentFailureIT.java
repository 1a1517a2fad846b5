package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.StockContainer;
import dev.ratelimit.testing.StockContainer.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An invalid {@code @RateLimited} stops the application in stock Tomcat 10.1 and Jetty 12 (issue 17, item 8): the
 * example WAR with {@link BrokenApplication} as its JAX-RS application, as shipped (the Jersey servlet loaded on
 * startup, Tomcat's {@code META-INF/context.xml} with {@code failCtxIfServletStartFails}) and without either, pinning
 * what docs/jaxrs.md ("Deployment failures") says each container does.
 */
class DeploymentFailureIT {

    private static final String FAILURE = "Invalid @RateLimited on dev.ratelimit.example.BrokenApplication$Broken#get(): "
            + "window 'soon' is not a duration";

    @ParameterizedTest(name = "{0}, load-on-startup {1}, context.xml {2}")
    @CsvSource({
        // container, load-on-startup, META-INF/context.xml, /health, first /api request, later /api requests,
        // whether Jersey's startup is tried again on every /api request
        "TOMCAT, true,  true,  404, 404, 404, false", // the example as shipped: the webapp does not start
        "TOMCAT, true,  false, 200, 500, 500, true",  // Tomcat's default: the webapp runs, /api/* fails each time
        "TOMCAT, false, true,  200, 500, 500, true",  // failCtxIfServletStartFails needs load-on-startup
        "JETTY,  true,  true,  503, 503, 503, false", // the example as shipped: the webapp is unavailable
        "JETTY,  false, true,  200, 500, 404, false", // the first /api request fails, the servlet is then unavailable
    })
    void anInvalidAnnotationStopsTheApplication(Kind kind, boolean loadOnStartup, boolean contextXml, int health,
            int firstApi, int laterApi, boolean retried) throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("example.stock.dir"), "variants"));
        Path war = ExampleWars.withApplication(BrokenApplication.class, loadOnStartup, contextXml, dir.resolve(
                "broken-" + kind.name().toLowerCase(Locale.ROOT) + "-" + loadOnStartup + "-" + contextXml + ".war"));
        try (StockContainer container = StockContainer.start(kind, war,
                StockContainer.Options.properties("example"))) {
            int failuresAtStart = failures(container);
            assertThat(failuresAtStart).as("%s logged the failure at startup", container)
                    .isEqualTo(loadOnStartup ? (kind == Kind.TOMCAT ? 1 : 2) : 0);

            assertThat(Http.get(container.uri("/health")).statusCode()).as("/health on %s", container)
                    .isEqualTo(health);
            assertThat(Http.get(container.uri("/api/unlimited")).statusCode()).as("first /api request on %s", container)
                    .isEqualTo(firstApi);
            int failuresAfterFirst = failures(container);
            for (String path : new String[] {"/api/unlimited", "/api/broken", "/api/algorithms/fixed-window"}) {
                assertThat(Http.get(container.uri(path)).statusCode()).as("%s on %s", path, container)
                        .isEqualTo(laterApi);
            }
            if (retried) {
                assertThat(failures(container)).as("Jersey's startup tried again on each request on %s", container)
                        .isEqualTo(failuresAfterFirst + 3);
            } else {
                assertThat(failures(container)).as("Jersey's startup never tried again on %s", container)
                        .isEqualTo(failuresAfterFirst);
            }
            String logs = container.output() + container.containerLogs();
            if (kind == Kind.TOMCAT && health == 404) {
                assertThat(logs).contains("Context [] startup failed due to previous errors");
            }
            if (kind == Kind.JETTY && health == 503) {
                assertThat(logs).contains("Failed startup of context oeje10w.WebAppContext@");
            }
        }
    }

    /**
     * How many times the container logged the deployment failure so far, once its log has settled: a container writes
     * its log after it answers, so the count is read until two readings 300 ms apart agree (at most 15 s).
     */
    private static int failures(StockContainer container) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        int count = logged(container);
        while (true) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300));
            int again = logged(container);
            if (again == count || System.nanoTime() - deadline > 0) {
                return again;
            }
            count = again;
        }
    }

    private static int logged(StockContainer container) {
        String logs = container.output() + container.containerLogs();
        return logs.split(java.util.regex.Pattern.quote(FAILURE), -1).length - 1;
    }
}
