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

/** Limits on a sub-resource apply however its locator returns it (issue 17, item 3). */
class SubResourceLocatorTest extends JerseyServletTest {

    private final ManualClock clock = new ManualClock();
    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(LocatorResources.Shop.class)
                .register(RateLimitFeature.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                    }
                });
    }

    @Test
    void theSubResourcesOwnLimitApplies() {
        for (String path : new String[] {"shop/items", "shop/anything"}) {
            clock.advance(Duration.ofMinutes(1));
            for (int i = 0; i < 2; i++) {
                Response ok = target(path).request().get();
                assertThat(ok.getStatus()).as(path).isEqualTo(200);
                assertThat(ok.getHeaderString("RateLimit-Policy")).as(path).isEqualTo("\"items\";q=2;w=60");
            }
            assertThat(target(path).request().get().getStatus()).as(path).isEqualTo(429);
        }
        Response free = target("shop/items/free").request().get();
        assertThat(free.getStatus()).isEqualTo(200);
        assertThat(free.getHeaderString("RateLimit")).isNull();
    }
}
