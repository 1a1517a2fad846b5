package dev.ratelimit.servlet;

import dev.ratelimit.internal.config.ApplicationLimiter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.testing.RedisServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A web application from a plain {@code web.xml} with two rate-limit filters, against a Redis of its own: both
 * filters share one limiter and one connection pool, and undeploying the application (stopping its context while
 * Jetty keeps running) closes them, leaving no Redis connection and no pool thread behind. Redeploying works.
 */
class UndeployTest {

    /** The client name the limiter's Redis connections carry ({@code CLIENT SETNAME}). */
    private static final String CLIENT_NAME = "name=ratelimit ";

    private RedisServer redis;
    private TestServer jetty;

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void twoFiltersShareOnePoolAndUndeployingLeavesNoConnectionOrThreadBehind() throws Exception {
        redis = RedisServer.start();
        assertThat(poolThreads()).as("no pool before deployment").isEmpty();
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        jetty = new TestServer(contexts).start();
        WebAppContext webapp = deploy(contexts);

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> api = jetty.get("/legacy/report");
            assertThat(api.statusCode()).isEqualTo(200);
            assertThat(header(api, "RateLimit-Policy")).isEqualTo("\"api-limit\";q=100;w=60");
            assertThat(header(api, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(99 - i));
            HttpResponse<String> login = jetty.get("/login/form");
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(header(login, "RateLimit-Policy"))
                    .isEqualTo("\"login-per-minute\";q=5;w=60, \"login-per-hour\";q=20;w=3600");
            assertThat(header(login, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(4 - i));
        }
        HttpResponse<String> unlimited = jetty.get("/about");
        assertThat(unlimited.statusCode()).isEqualTo(200);
        assertThat(header(unlimited, "X-RateLimit-Limit")).isNull();

        ApplicationLimiter.Shared shared = (ApplicationLimiter.Shared) webapp.getServletContext().getAttribute(ApplicationLimiter.OWNER_ATTRIBUTE);
        assertThat(shared.users()).as("both filter declarations use it").isEqualTo(2);
        assertThat(shared.limiter()).isInstanceOf(FallbackRateLimiter.class);
        assertThat(limiterConnections()).as("one pool for both filters: sequential requests reuse one connection")
                .isEqualTo(1);
        assertThat(poolThreads()).as("the limiter starts no background thread (no pool evictor)").isEmpty();

        undeploy(contexts, webapp);

        assertThat(shared.users()).isZero();
        assertThat(webapp.getServletContext().getAttribute(ApplicationLimiter.OWNER_ATTRIBUTE)).isNull();
        assertThat(limiterConnectionsOnceClosed()).as("every pooled connection closed").isZero();
        assertThat(poolThreads()).as("no pool thread left").isEmpty();
        assertThat(jetty.server.isRunning()).as("only the application was undeployed").isTrue();

        // a redeployment is a new context, as Jetty's deployer makes one
        WebAppContext redeployed = deploy(contexts);
        HttpResponse<String> again = jetty.get("/login/form");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(header(again, "X-RateLimit-Remaining")).as("the counts were kept in Redis").isEqualTo("1");
        ApplicationLimiter.Shared second = (ApplicationLimiter.Shared) redeployed.getServletContext().getAttribute(ApplicationLimiter.OWNER_ATTRIBUTE);
        assertThat(second).as("a new limiter for the new deployment").isNotSameAs(shared);
        assertThat(second.users()).isEqualTo(2);
        assertThat(limiterConnections()).isEqualTo(1);

        undeploy(contexts, redeployed);
        assertThat(second.users()).isZero();
        assertThat(limiterConnectionsOnceClosed()).isZero();
        assertThat(poolThreads()).isEmpty();
    }

    /** Deploys {@code webapp/two-filters}, its Redis URL given as a context-param (the port is known only now). */
    private WebAppContext deploy(ContextHandlerCollection contexts) throws Exception {
        WebAppContext webapp = TestServer.webapp("two-filters");
        webapp.setInitParameter("ratelimit.redis.url", redis.uri());
        contexts.addHandler(webapp);
        if (!webapp.isStarted()) {
            webapp.start();
        }
        assertThat(webapp.isAvailable()).isTrue();
        return webapp;
    }

    private static void undeploy(ContextHandlerCollection contexts, WebAppContext webapp) throws Exception {
        webapp.stop();
        contexts.removeHandler(webapp);
    }

    /** The live threads of Jedis's connection pool (Apache Commons Pool) or of the limiter. */
    private static List<String> poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> {
                    String n = name.toLowerCase(Locale.ROOT);
                    return n.contains("commons-pool") || n.contains("jedis") || n.contains("ratelimit")
                            || n.contains("resilience4j");
                })
                .collect(Collectors.toList());
    }

    /** The limiter's connections to Redis, from {@code CLIENT LIST} over a connection of our own (not pooled). */
    private int limiterConnections() {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return (int) jedis.clientList().lines().filter(l -> l.contains(CLIENT_NAME)).count();
        }
    }

    /**
     * {@link #limiterConnections()} once Redis has seen the closed sockets: Redis learns of a closed connection on
     * its next turn of the event loop, so a few {@code CLIENT LIST} round trips (not time) settle it.
     */
    private int limiterConnectionsOnceClosed() {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            int count = Integer.MAX_VALUE;
            for (int attempt = 0; attempt < 50 && count > 0; attempt++) {
                count = (int) jedis.clientList().lines().filter(l -> l.contains(CLIENT_NAME)).count();
            }
            return count;
        }
    }
}
