package dev.ratelimit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Micrometer is optional: with neither micrometer-core nor resilience4j-micrometer on the classpath, the settings
 * still build a limiter and the HTTP logic still decides and counts nowhere. Runs the library in a class loader
 * whose classpath is this test's minus every Micrometer jar.
 */
class WithoutMicrometerTest {

    @Test
    void theLibraryWorksWithoutMicrometer() throws Exception {
        List<URL> urls = new ArrayList<>();
        int removed = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("micrometer")) {
                removed++;
                continue;
            }
            urls.add(url(entry));
        }
        assertThat(removed).as("micrometer-core and resilience4j-micrometer were on the test classpath")
                .isGreaterThanOrEqualTo(2);

        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            assertThat(loader.getResource("io/micrometer/core/instrument/MeterRegistry.class")).isNull();

            Class<?> settingsType = loader.loadClass("dev.ratelimit.internal.config.RateLimitSettings");
            Object settings = settingsType.getMethod("load", Function.class).invoke(null, (Function<?, ?>) null);
            Object metrics = settingsType.getMethod("metrics").invoke(settings);
            assertThat(metrics).hasToString("none");
            Class<?> metricsType = loader.loadClass("dev.ratelimit.metrics.RateLimitMetrics");
            Object limiter = settingsType.getMethod("createLimiter", metricsType).invoke(settings, metrics);

            Class<?> http = loader.loadClass("dev.ratelimit.internal.http.RequestDecider");
            Class<?> limiterType = loader.loadClass("dev.ratelimit.core.RateLimiter");
            Object httpLimiter = settingsType.getMethod("requestDecider", limiterType, metricsType)
                    .invoke(settings, limiter, metrics);

            Class<?> ruleType = loader.loadClass("dev.ratelimit.core.RateLimitRule");
            Object builder = ruleType.getMethod("custom").invoke(null);
            builder.getClass().getMethod("name", String.class).invoke(builder, "api");
            builder.getClass().getMethod("limit", long.class).invoke(builder, 1L);
            builder.getClass().getMethod("window", String.class).invoke(builder, "1m");
            Object rule = builder.getClass().getMethod("build").invoke(builder);

            Class<?> viewType = loader.loadClass("dev.ratelimit.http.RequestView");
            Object request = Proxy.newProxyInstance(loader, new Class<?>[] {viewType}, (proxy, method, args) ->
                    switch (method.getName()) {
                        case "remoteAddress" -> "203.0.113.1";
                        case "headerValues" -> List.of();
                        default -> null;
                    });
            Class<?> resolverType = loader.loadClass("dev.ratelimit.http.KeyResolver");
            Class<?> rejectionsType = loader.loadClass("dev.ratelimit.http.RejectionHandler");
            Method check = http.getMethod("check", List.class, viewType, resolverType, rejectionsType, String.class);
            Object first = check.invoke(httpLimiter, List.of(rule), request, null, null, "/api");
            Object second = check.invoke(httpLimiter, List.of(rule), request, null, null, "/api");
            assertThat(first.getClass().getMethod("reject").invoke(first)).isEqualTo(false);
            assertThat(second.getClass().getMethod("reject").invoke(second)).isEqualTo(true);
            limiterType.getMethod("close").invoke(limiter);
        }
    }

    private static URL url(String entry) {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
