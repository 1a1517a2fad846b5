package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code ratelimit.count-options=true}: OPTIONS requests to a limited resource count like any method (issue 17,
 * item 7).
 */
class OptionsCountedTest extends JerseyServletTest {

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(new ManualClock()).build();

    @Override
    protected ResourceConfig application() {
        return OptionsApplications.application(() -> limiter, OptionsResources.ClassLimited.class,
                OptionsResources.MethodLimited.class, OptionsResources.LimitedOptionsMethod.class,
                ExemptResources.ExemptClass.class)
                .property("ratelimit.count-options", "true");
    }

    @Test
    void jerseysAutomaticOptionsAnswerTakesTheClassLevelLimit() {
        String name = ResourceLimits.defaultName(OptionsResources.ClassLimited.class.getName() + "#OPTIONS");
        for (int i = 0; i < 2; i++) {
            Response options = target("opt").request().options();
            assertThat(options.getStatus()).isEqualTo(200);
            assertThat(options.getHeaderString("Allow")).contains("GET");
            assertThat(options.getHeaderString("RateLimit-Policy")).isEqualTo("\"" + name + "\";q=2;w=60");
            assertThat(options.getHeaderString("X-RateLimit-Remaining")).isEqualTo(String.valueOf(1 - i));
            assertThat(options.getHeaderString("Cache-Control")).isEqualTo("private");
        }
        Response denied = target("opt").request().options();
        assertThat(denied.getStatus()).isEqualTo(429);
        assertThat(denied.getHeaderString("Retry-After")).isNotNull();
        assertThat(target("opt").request().get().getHeaderString("X-RateLimit-Remaining"))
                .as("the GET counts apart").isEqualTo("1");
    }

    @Test
    void aResourcesOwnOptionsMethodCounts() {
        assertThat(target("opt/own").request().options().getHeaderString("X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(target("opt/own").request().options().getHeaderString("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(target("opt/own").request().options().getStatus()).isEqualTo(429);

        Response limited = target("opt-limited").request().options();
        assertThat(limited.getStatus()).isEqualTo(200);
        assertThat(limited.getHeaderString("RateLimit-Policy")).isEqualTo("\"opt-limited\";q=2;w=60");
    }

    @Test
    void withoutAClassLevelLimitTheAutomaticAnswerIsUnlimited() {
        Response options = target("opt-method").request().options();
        assertThat(options.getStatus()).isEqualTo(200);
        assertThat(options.getHeaderString("RateLimit")).isNull();
    }

    @Test
    void theAutomaticAnswerOfAClassExemptByAnnotationIsExemptToo() {
        for (int i = 0; i < 4; i++) {
            Response options = target("internal").request().options();
            assertThat(options.getStatus()).isEqualTo(200);
            assertThat(options.getHeaderString("RateLimit")).isNull();
            assertThat(options.getHeaderString("X-RateLimit-Remaining")).isNull();
            assertThat(options.getHeaderString("Cache-Control")).isNull();
        }
    }
}
