package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.core.Response;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * Responses that carry per-client rate-limit headers are private to that client, keeping the resource's own
 * directives, and a request that was counted carries its headers whatever its outcome: a mapped exception, or one no
 * mapper handles (issue 17, "Also"). That allowed and denied responses are {@code private} and unlimited ones left
 * alone is asserted for both bindings by the binding contract ({@link JaxrsBindingContractTest}).
 */
class ResponseHeadersTest extends JerseyServletTest {

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(new ManualClock()).build();

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(HeaderResources.Limited.class, HeaderResources.Mapper.class)
                .register(RateLimitFeature.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                    }
                });
    }

    @Test
    void theResourcesOwnDirectivesAreKeptAndPublicGivesWayToPrivate() {
        assertThat(target("headers/no-store").request().get().getHeaderString("Cache-Control"))
                .isEqualTo("no-store, private");
        assertThat(target("headers/public").request().get().getHeaderString("Cache-Control"))
                .isEqualTo("max-age=60, private");
    }

    @Test
    void aMappedExceptionCarriesTheHeaders() {
        Response mapped = target("headers/mapped").request().get();
        assertThat(mapped.getStatus()).isEqualTo(409);
        assertThat(mapped.getHeaderString("RateLimit")).isEqualTo("\"headers\";r=4;t=60");
        assertThat(mapped.getHeaderString("Cache-Control")).isEqualTo("private");
    }

    @Test
    void anUnmappedExceptionCarriesTheHeadersTheRequestWasCountedWith() {
        Response boom = target("headers/boom").request().get();
        assertThat(boom.getStatus()).isEqualTo(500);
        assertThat(boom.getHeaderString("RateLimit")).isEqualTo("\"headers\";r=4;t=60");
        assertThat(boom.getHeaderString("RateLimit-Policy")).isEqualTo("\"headers\";q=5;w=60");
        assertThat(boom.getHeaderString("X-RateLimit-Remaining")).isEqualTo("4");
        assertThat(boom.getHeaderString("Cache-Control")).isEqualTo("private");
    }
}
