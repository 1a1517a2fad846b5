package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * The default, {@code ratelimit.count-options=false}: OPTIONS requests pass uncounted and without rate-limit headers
 * (issue 17, item 7).
 */
class OptionsNotCountedTest extends JerseyServletTest {

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(new ManualClock()).build();

    @Override
    protected ResourceConfig application() {
        return OptionsApplications.application(() -> limiter, OptionsResources.ClassLimited.class);
    }

    @Test
    void optionsRequestsAreNeitherCountedNorDecorated() {
        for (String path : new String[] {"opt", "opt/own"}) {
            for (int i = 0; i < 3; i++) {
                Response options = target(path).request().options();
                assertThat(options.getStatus()).as(path).isEqualTo(200);
                assertThat(options.getHeaderString("RateLimit")).as(path).isNull();
                assertThat(options.getHeaderString("X-RateLimit-Remaining")).as(path).isNull();
                assertThat(options.getHeaderString("Cache-Control")).as(path).isNull();
            }
        }
        assertThat(target("opt/own").request().options().readEntity(String.class)).isEqualTo("own options");
        Response get = target("opt").request().get();
        assertThat(get.getHeaderString("X-RateLimit-Remaining")).as("six OPTIONS took no permit").isEqualTo("1");
    }
}
