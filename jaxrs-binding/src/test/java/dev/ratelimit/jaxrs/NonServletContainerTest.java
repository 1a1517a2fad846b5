package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.glassfish.jersey.test.grizzly.GrizzlyTestContainerFactory;
import org.glassfish.jersey.test.spi.TestContainerFactory;
import org.junit.jupiter.api.Test;

/**
 * Jersey on Grizzly's own HTTP server, without a servlet container (issue 16, defect 9): there is no servlet request,
 * yet every anonymous client is counted by its own address, read from Grizzly's request, so trusted-proxy resolution
 * works too. Before, the binding knew only the servlet request and every such client shared the key
 * {@code ip:unknown}: one client exhausted a limit for all.
 */
class NonServletContainerTest extends JerseyTest {

    private final ManualClock clock = new ManualClock();
    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();

    @Override
    protected TestContainerFactory getTestContainerFactory() {
        return new GrizzlyTestContainerFactory(); // org.glassfish.grizzly.http.server.HttpServer, no servlet layer
    }

    @Override
    protected Application configure() {
        forceSet(TestProperties.CONTAINER_PORT, "0");
        return new ResourceConfig(TestResources.Misc.class)
                .register(RateLimitFeature.class)
                .property("ratelimit.trusted-proxies", "127.0.0.1, ::1")
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                    }
                });
    }

    private Response get(String path, String forwardedFor) {
        return target(path).request().header("X-Forwarded-For", forwardedFor).get();
    }

    @Test
    void anonymousClientsAreCountedApart() {
        for (int i = 0; i < 2; i++) {
            assertThat(get("misc/ip", "198.51.100.1").getStatus()).isEqualTo(200);
        }
        assertThat(get("misc/ip", "198.51.100.1").getStatus()).isEqualTo(429);
        // another client behind the same (trusted) proxy has its own counter
        Response other = get("misc/ip", "198.51.100.2");
        assertThat(other.getStatus()).isEqualTo(200);
        assertThat(other.getHeaderString("X-RateLimit-Remaining")).isEqualTo("1");
    }

    @Test
    void withoutAForwardingHeaderTheSocketPeerIsTheKey() {
        for (int i = 0; i < 2; i++) {
            assertThat(target("misc/ip").request().get().getStatus()).isEqualTo(200);
        }
        assertThat(target("misc/ip").request().get().getStatus()).as("the loopback peer's own counter").isEqualTo(429);
        assertThat(get("misc/ip", "198.51.100.9").getStatus()).as("a forwarded client's counter").isEqualTo(200);
    }
}
