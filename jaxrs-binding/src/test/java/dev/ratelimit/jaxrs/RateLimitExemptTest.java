package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.core.Response;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code @RateLimitExempt} (issue 20, item 4), in a real servlet container: the nearest declaration wins, whether it
 * limits or exempts, found the way {@code @RateLimited} is (method, overridden and implemented methods, class,
 * superclasses, interface types); an exempt method has no filter, so its requests are not counted and carry no
 * rate-limit header and no {@code Cache-Control}.
 */
class RateLimitExemptTest extends JerseyServletTest {

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(new ManualClock()).build();

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(ExemptResources.Orders.class, ExemptResources.ImplementsExemptApi.class,
                ExemptResources.OverridesExemptBase.class, ExemptResources.ExemptClass.class)
                .register(RateLimitFeature.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                    }
                });
    }

    /** Many requests, all answered by the method itself, untouched by the binding. */
    private void exempt(String path, String body) {
        for (int i = 0; i < 4; i++) {
            Response r = target(path).request().get();
            assertThat(r.getStatus()).as("request %d to %s", i + 1, path).isEqualTo(200);
            assertThat(r.readEntity(String.class)).isEqualTo(body);
            assertThat(r.getHeaderString("RateLimit")).isNull();
            assertThat(r.getHeaderString("RateLimit-Policy")).isNull();
            assertThat(r.getHeaderString("X-RateLimit-Limit")).isNull();
            assertThat(r.getHeaderString("Cache-Control")).isNull();
        }
    }

    /** One request allowed under {@code policy}, the second refused. */
    private void oneThenDenied(String path, String policy) {
        Response ok = target(path).request().get();
        assertThat(ok.getStatus()).as(path).isEqualTo(200);
        assertThat(ok.getHeaderString("RateLimit-Policy")).as(path).isEqualTo(policy);
        assertThat(target(path).request().get().getStatus()).as(path).isEqualTo(429);
    }

    @Test
    void anExemptMethodBeatsItsClassLevelLimitAndIsNeverCounted() {
        exempt("orders/health", "healthy");
        oneThenDenied("orders", "\"orders\";q=1;w=60");
        exempt("orders/health", "healthy");
        RateLimitRule orders = RateLimitRule.custom().name("orders").limit(1).window("1m")
                .algorithm(dev.ratelimit.core.Algorithm.FIXED_WINDOW).build();
        assertThat(limiter.acquire("ip:127.0.0.1", orders).allowed()).as("only list was counted").isFalse();
    }

    @Test
    void anExemptionOnTheInterfaceMethodBeatsTheImplementationsClassLevelLimit() {
        exempt("api/status", "status");
        oneThenDenied("api/data", "\"api\";q=1;w=60");
    }

    @Test
    void anExemptionOnTheOverriddenMethodIsInheritedAndAnOwnLimitBeatsIt() {
        exempt("sub/ping", "sub");
        oneThenDenied("sub/limited-here", "\"own\";q=1;w=60");
    }

    @Test
    void anExemptClassBeatsItsBaseClassesLimitAndAMethodsOwnLimitBeatsTheExemptClass() {
        exempt("internal", "internal");
        oneThenDenied("internal/own", "\"internal-own\";q=1;w=60");
    }
}
