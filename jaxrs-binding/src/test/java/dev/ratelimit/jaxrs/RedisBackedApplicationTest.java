package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * The defaults, with nothing bound by the application: the limiter comes from the settings (a real Redis here), and
 * a token bucket answers on Redis's own clock. That such a limiter decides in the Redis the settings name, under
 * their key prefix, and that a forged X-Forwarded-For changes nothing, is asserted for both bindings by the binding
 * contract ({@link JaxrsBindingContractTest}).
 */
class RedisBackedApplicationTest extends JerseyServletTest {

    @Override
    protected ResourceConfig application() {
        RedisServer.shared().flushAll();
        return new ResourceConfig(TestResources.Misc.class, TestResources.Algorithms.class)
                .register(RateLimitFeature.class)
                .property("ratelimit.redis.url", RedisServer.shared().uri())
                .property("ratelimit.redis.timeout", "2s")
                .property("ratelimit.redis.key-prefix", "jaxrs-test");
    }

    @Test
    void aTokenBucketOnRedisAnswersWithItsHeaders() {
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            Response ok = target("alg/bucket").request().get();
            assertThat(ok.getStatus()).isEqualTo(200);
            assertThat(ok.getHeaderString("X-RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
        }
        Response denied = target("alg/bucket").request().get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        assertThat(denied.getStatus()).isEqualTo(429);
        // One token comes back every 10 s / 3, counted on Redis's own clock from the first request: the wait is
        // 3.33 s minus the time the four requests took on the server, rounded up — 4 s on a quick machine. The
        // server's time is at most what this client measured, which bounds the answer from below.
        int fewest = (int) Math.max(1, Math.ceil(10.0 / 3 - elapsed));
        assertThat(Integer.parseInt(denied.getHeaderString("Retry-After"))).isBetween(fewest, 4);
    }
}
