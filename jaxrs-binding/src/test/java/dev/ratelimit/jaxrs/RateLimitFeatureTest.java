package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The binding end to end through HTTP, with the application's own in-memory limiter on a controlled clock bound in
 * an HK2 binder (which also proves that a bound {@link RateLimiter} replaces ours), so every header value is exact.
 */
class RateLimitFeatureTest extends JerseyServletTest {

    private final ManualClock clock = new ManualClock(); // 2026-01-01T00:00:00Z: a whole number of 10 s windows
    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(TestResources.Algorithms.class, TestResources.Misc.class,
                TestResources.ClassLimited.class, TestResources.TestAuthentication.class)
                .register(RateLimitFeature.class)
                .property("ratelimit.trusted-proxies", "127.0.0.1, ::1")
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                        bind((KeyResolver) request -> {
                            List<String> tenant = request.headerValues("X-Tenant");
                            return tenant.isEmpty() ? null : tenant.get(0);
                        }).to(KeyResolver.class);
                    }
                });
    }

    private Response get(String path, String client) {
        return target(path).request().header("X-Forwarded-For", client).get();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // path, name, Retry-After after the 4th request, seconds until reset (t) when denied
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
        assertThat(denied.getHeaderString("RateLimit")).isEqualTo("\"" + name + "\";r=0;t=" + reset);
        assertThat(denied.getHeaderString("RateLimit-Policy")).isEqualTo("\"" + name + "\";q=3;w=10");
        assertThat(denied.getHeaderString("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(denied.getHeaderString("X-RateLimit-Reset")).isEqualTo(reset);
        assertThat(denied.readEntity(String.class)).isEqualTo("{\"type\":\"https://ratelimit.dev/problems/rate-limited\","
                + "\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"Rate limit \\\"" + name
                + "\\\" of 3 per 10s exceeded; retry in " + retryAfter + " s.\",\"instance\":\"/" + path
                + "\",\"retryAfter\":" + retryAfter + "}");
        assertThat(TestResources.INVOCATIONS.get() - before).as("the resource ran only when allowed").isEqualTo(3);

        clock.advance(Duration.ofSeconds(Long.parseLong(retryAfter)));
        assertThat(get(path, "198.51.100.1").getStatus()).isEqualTo(200);
    }

    @Test
    void clientsAreCountedApartBehindATrustedProxy() {
        assertThat(get("misc/ip", "198.51.100.7").getStatus()).isEqualTo(200);
        assertThat(get("misc/ip", "198.51.100.7").getStatus()).isEqualTo(200);
        assertThat(get("misc/ip", "198.51.100.7").getStatus()).isEqualTo(429);
        assertThat(get("misc/ip", "198.51.100.8").getStatus()).isEqualTo(200);
        // the right-most untrusted address counts: a client cannot prepend its way out of the limit
        assertThat(get("misc/ip", "10.9.9.9, 198.51.100.7").getStatus()).isEqualTo(429);
    }

    @Test
    void principalBeatsIpAndHeaderKeysStandAlone() {
        assertThat(target("misc/user").request().header("X-Test-User", "alice").get().getStatus()).isEqualTo(200);
        assertThat(target("misc/user").request().header("X-Test-User", "alice").get().getStatus()).isEqualTo(200);
        assertThat(target("misc/user").request().header("X-Test-User", "alice").get().getStatus()).isEqualTo(429);
        assertThat(target("misc/user").request().header("X-Test-User", "bob").get().getStatus()).isEqualTo(200);

        assertThat(target("misc/header").request().header("X-Api-Key", "k1").get().getStatus()).isEqualTo(200);
        assertThat(target("misc/header").request().header("X-Api-Key", "k1").get().getStatus()).isEqualTo(200);
        assertThat(target("misc/header").request().header("X-Api-Key", "k1").get().getStatus()).isEqualTo(429);
        assertThat(target("misc/header").request().header("X-Api-Key", "k2").get().getStatus()).isEqualTo(200);
    }

    @Test
    void boundKeyResolverServesCustomKeys() {
        assertThat(target("misc/custom").request().header("X-Tenant", "t1").get().getStatus()).isEqualTo(200);
        assertThat(target("misc/custom").request().header("X-Tenant", "t1").get().getStatus()).isEqualTo(200);
        assertThat(target("misc/custom").request().header("X-Tenant", "t1").get().getStatus()).isEqualTo(429);
        assertThat(target("misc/custom").request().header("X-Tenant", "t2").get().getStatus()).isEqualTo(200);
    }

    @Test
    void severalLimitsAllApplyAndTheMostRestrictiveIsReported() {
        Response first = get("misc/multi", "198.51.100.20");
        assertThat(first.getHeaderString("RateLimit-Policy")).isEqualTo("\"per-second\";q=2;w=1, \"per-ten\";q=4;w=10");
        assertThat(first.getHeaderString("RateLimit")).isEqualTo("\"per-second\";r=1;t=1");
        assertThat(get("misc/multi", "198.51.100.20").getStatus()).isEqualTo(200);
        Response third = get("misc/multi", "198.51.100.20");
        assertThat(third.getStatus()).isEqualTo(429);
        assertThat(third.getHeaderString("Retry-After")).isEqualTo("1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(get("misc/multi", "198.51.100.20").getStatus()).isEqualTo(200);
        Response fourth = get("misc/multi", "198.51.100.20");
        assertThat(fourth.getStatus()).isEqualTo(200);
        // both have none left: the one that takes longer to come back is reported
        assertThat(fourth.getHeaderString("RateLimit")).isEqualTo("\"per-ten\";r=0;t=9");
        clock.advance(Duration.ofSeconds(1));
        Response fifth = get("misc/multi", "198.51.100.20");
        assertThat(fifth.getStatus()).as("the 10 s limit of 4 is used up").isEqualTo(429);
        assertThat(fifth.getHeaderString("Retry-After")).isEqualTo("8");
    }

    @Test
    void sharedNamesShareOneCounterAndCostTakesSeveralPermits() {
        assertThat(get("misc/shared-a", "198.51.100.30").getStatus()).isEqualTo(200);
        assertThat(get("misc/shared-b", "198.51.100.30").getStatus()).isEqualTo(200);
        assertThat(get("misc/shared-a", "198.51.100.30").getHeaderString("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(get("misc/shared-b", "198.51.100.30").getStatus()).isEqualTo(429);

        assertThat(get("misc/cost", "198.51.100.31").getHeaderString("X-RateLimit-Remaining")).isEqualTo("3");
        assertThat(get("misc/cost", "198.51.100.31").getHeaderString("X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(get("misc/cost", "198.51.100.31").getStatus()).isEqualTo(429);
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
    void theDefaultNameIsTheResourceClassAndMethod() {
        assertThat(get("misc/default-name", "198.51.100.50").getHeaderString("RateLimit-Policy"))
                .isEqualTo("\"dev.ratelimit.jaxrs.TestResources$Misc#defaultName()\";q=1;w=60");
    }

    @Test
    void unlimitedMethodsCarryNoHeaders() {
        Response free = get("misc/unlimited", "198.51.100.60");
        assertThat(free.getStatus()).isEqualTo(200);
        assertThat(free.getHeaderString("RateLimit")).isNull();
        assertThat(free.getHeaderString("X-RateLimit-Limit")).isNull();
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
