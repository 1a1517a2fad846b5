package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/** Shadow mode: decisions and headers as usual, but nothing is rejected; the legacy header style only. */
class ShadowModeTest extends JerseyServletTest {

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(TestResources.Algorithms.class)
                .register(RateLimitFeature.class)
                .property("ratelimit.shadow", "true")
                .property("ratelimit.headers", "LEGACY");
    }

    @Test
    void wouldBeDenialsAreServedWithHeadersButNoRetryAfter() {
        int before = TestResources.INVOCATIONS.get();
        for (int i = 0; i < 5; i++) {
            Response r = target("alg/fixed").request().get();
            assertThat(r.getStatus()).isEqualTo(200);
            assertThat(r.getHeaderString("X-RateLimit-Remaining")).isEqualTo(String.valueOf(Math.max(0, 2 - i)));
            assertThat(r.getHeaderString("Retry-After")).isNull();
            assertThat(r.getHeaderString("RateLimit")).isNull();
        }
        assertThat(TestResources.INVOCATIONS.get() - before).isEqualTo(5);
    }
}
