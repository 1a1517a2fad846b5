package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** With the DENY policy and Redis gone, requests are refused with 503, never a 500 or a Redis error. */
class FailClosedTest extends JerseyServletTest {

    private static final RedisServer REDIS = RedisServer.start();

    @AfterAll
    static void stopRedis() {
        REDIS.close();
    }

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(TestResources.Algorithms.class)
                .register(RateLimitFeature.class)
                .property("ratelimit.redis.url", REDIS.uri())
                .property("ratelimit.fallback.policy", "DENY");
    }

    @Test
    void redisDownMeans503WithAProblemBody() {
        assertThat(target("alg/gcra").request().get().getStatus()).isEqualTo(200);
        REDIS.kill();
        for (int i = 0; i < 6; i++) {
            Response r = target("alg/gcra").request().get();
            assertThat(r.getStatus()).isEqualTo(503);
            assertThat(r.getHeaderString("Retry-After")).isEqualTo("5");
            assertThat(r.readEntity(String.class))
                    .contains("\"type\":\"https://ratelimit.dev/problems/rate-limiter-unavailable\"")
                    .contains("\"status\":503");
        }
    }
}
