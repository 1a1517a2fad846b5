package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The limiter our binder creates from the settings is closed, with its connections, when the application stops. */
class LimiterLifecycleTest {

    private static final RedisServer REDIS = RedisServer.start();

    @AfterAll
    static void stopRedis() {
        REDIS.close();
    }

    private static int connectedClients(RedisClient redis) {
        for (String line : redis.info("clients").split("\r?\n")) {
            if (line.startsWith("connected_clients:")) {
                return Integer.parseInt(line.substring("connected_clients:".length()).trim());
            }
        }
        throw new AssertionError("no connected_clients in INFO clients");
    }

    @Test
    void theLimiterFromTheSettingsIsClosedWithTheApplication() {
        try (RedisClient redis = REDIS.client()) {
            int before = connectedClients(redis);
            ApplicationHandler app = new ApplicationHandler(new ResourceConfig(TestResources.Algorithms.class)
                    .register(RateLimitFeature.class)
                    .property("ratelimit.redis.url", REDIS.uri()));
            RateLimiter limiter = app.getInjectionManager().getInstance(RateLimiter.class);
            limiter.acquire("lifecycle", RateLimitRule.custom().name("lifecycle").limit(1).window("1m").build());
            assertThat(connectedClients(redis)).as("with the limiter's connections").isGreaterThan(before);

            app.onShutdown(null);

            // Redis notices the closed sockets in its own event loop: ask it again (each question is a round trip,
            // no sleeping) until it has, within a deadline
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (connectedClients(redis) > before && System.nanoTime() < deadline) {
                redis.ping();
            }
            assertThat(connectedClients(redis)).as("connections left after the application stopped").isEqualTo(before);
        }
    }
}
