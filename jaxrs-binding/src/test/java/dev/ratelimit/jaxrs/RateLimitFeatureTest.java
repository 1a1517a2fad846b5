package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What only the JAX-RS binding does, end to end through HTTP: each algorithm through a resource method, class-level
 * limits, default names, headers a resource sets itself. The application's own in-memory limiter on a controlled
 * clock is bound in an HK2 binder (which also proves that a bound {@link RateLimiter} replaces ours), so every header
 * value is exact. The behaviour both bindings share is asserted by {@link JaxrsBindingContractTest}.
 */
class RateLimitFeatureTest extends JerseyServletTest {

    private final ManualClock clock = new ManualClock(); // 2026-01-01T00:00:00Z: a whole number of 10 s windows
    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(TestResources.Algorithms.class, TestResources.Misc.class,
                TestResources.ClassLimited.class)
                .register(RateLimitFeature.class)
                .property("ratelimit.trusted-proxies", "127.0.0.1, ::1")
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                    }
                });
    }

    private Response get(String path, String client) {
        return target(path).request().header("X-Forwarded-For", client).get();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // path, name, Retry-After (and t) after the 4th request, seconds until the full limit is back when denied
        "alg/fixed,   fixed,   10, 10",
        "alg/log,     log,     10, 10",
        "alg/counter, counter, 11, 20",
        "alg/bucket,  bucket,   4, 10",
        "alg/gcra,    gcra,     4, 10",
    })
    void eachAlgorithmAnswers429WithExactHeadersAndProblemBody(String path, String name, String retryAfter,
                                                               String reset) {
        int before = TestResources.INVOCATIONS.get();
        for (int i = 0; i < 3; i++) {
            Response ok = get(path, "198.51.100.1");
            assertThat(ok.getStatus()).isEqualTo(200);
            assertThat(ok.getHeaderString("RateLimit-Policy")).isEqualTo("\"" + name + "\";q=3;w=10");
            assertThat(ok.getHeaderString("RateLimit")).startsWith("\"" + name + "\";r=" + (2 - i) + ";t=");
            assertThat(ok.getHeaderString("X-RateLimit-Limit")).isEqualTo("3");
            assertThat(ok.getHeaderString("X-RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
            assertThat(ok.getHeaderString("Retry-After")).isNull();
        }
        Response denied = get(path, "198.51.100.1");
        assertThat(denied.getStatus()).isEqualTo(429);
        assertThat(denied.getMediaType().toString()).isEqualTo("application/problem+json");
        assertThat(denied.getHeaderString("Retry-After")).isEqualTo(retryAfter);
        assertThat(denied.getHeaderString("RateLimit")).as("t is the retry-after")
                .isEqualTo("\"" + name + "\";r=0;t=" + retryAfter);
        assertThat(denied.getHeaderString("RateLimit-Policy")).isEqualTo("\"" + name + "\";q=3;w=10");
        assertThat(denied.getHeaderString("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(denied.getHeaderString("X-RateLimit-Reset")).isEqualTo(reset);
        assertThat(denied.readEntity(String.class)).isEqualTo("{"
                + "\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\","
                + "\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\",\"status\":429,"
                + "\"detail\":\"Rate limit \\\"" + name
                + "\\\" of 3 per 10s exceeded; retry in " + retryAfter + " s.\",\"instance\":\"/" + path
                + "\",\"violated-policies\":[\"" + name + "\"],\"retryAfter\":" + retryAfter + "}");
        assertThat(TestResources.INVOCATIONS.get() - before).as("the resource ran only when allowed").isEqualTo(3);

        clock.advance(Duration.ofSeconds(Long.parseLong(retryAfter)));
        assertThat(get(path, "198.51.100.1").getStatus()).isEqualTo(200);
    }

    @Test
    void methodAnnotationsBeatTheClassAnnotation() {
        assertThat(get("class/inherits", "198.51.100.40").getHeaderString("RateLimit-Policy"))
                .isEqualTo("\"class-level\";q=1;w=60");
        assertThat(get("class/inherits", "198.51.100.40").getStatus()).isEqualTo(429);
        Response own = get("class/own", "198.51.100.40");
        assertThat(own.getStatus()).isEqualTo(200);
        assertThat(own.getHeaderString("RateLimit-Policy")).isEqualTo("\"method-level\";q=3;w=60");
    }

    @Test
    void theDefaultNameIsOpaqueAndDerivedFromTheResourceClassAndMethod() {
        String policy = get("misc/default-name", "198.51.100.50").getHeaderString("RateLimit-Policy");
        assertThat(policy).as("no class or method name reaches the client")
                .isEqualTo("\"" + ResourceLimits.defaultName("dev.ratelimit.jaxrs.TestResources$Misc#defaultName()")
                        + "\";q=1;w=60")
                .matches("\"limit-[0-9a-f]{12}\";q=1;w=60")
                .doesNotContain("Misc", "defaultName");
    }

    @Test
    void ourHeadersReplaceTheResourcesOwnOfTheSameNameWhateverTheirCase() {
        Response response = get("misc/own-headers", "198.51.100.70");
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getStringHeaders().get("RateLimit")).containsExactly("\"own\";r=4;t=60");
        assertThat(response.getStringHeaders().get("X-RateLimit-Limit")).containsExactly("5");
        assertThat(response.getHeaderString("X-Upstream")).isEqualTo("kept");
    }
}
