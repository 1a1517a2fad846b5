package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code @RateLimited} follows JAX-RS annotation inheritance (issue 17, items 1, 2 and 4): nearest declaration wins —
 * the method, the methods it overrides (superclasses first) or implements, then the class, its superclasses and its
 * interfaces — and overloaded methods count apart under distinct default names.
 */
class AnnotationInheritanceTest extends JerseyServletTest {

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(new ManualClock()).build();

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(InheritanceResources.ImplementsLimitedApi.class,
                InheritanceResources.OverridesLimitedBase.class, InheritanceResources.ExtendsClassLimitedBase.class,
                InheritanceResources.ImplementsClassLimitedApi.class, InheritanceResources.Nearest.class,
                InheritanceResources.StringCreator.class, InheritanceResources.Overloads.class)
                .register(RateLimitFeature.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                    }
                });
    }

    /** Two GETs allowed with the given policy, the third refused. */
    private void twoThenDenied(String path, String policy) {
        for (int i = 0; i < 2; i++) {
            Response ok = target(path).request().get();
            assertThat(ok.getStatus()).as("request %d to %s", i + 1, path).isEqualTo(200);
            assertThat(ok.getHeaderString("RateLimit-Policy")).as(path).isEqualTo(policy);
        }
        assertThat(target(path).request().get().getStatus()).as("third request to %s", path).isEqualTo(429);
    }

    @Test
    void aLimitOnTheInterfaceMethodApplies() {
        twoThenDenied("iface/a", "\"iface-method\";q=2;w=60");
        Response unlimited = target("iface/b").request().get();
        assertThat(unlimited.getStatus()).isEqualTo(200);
        assertThat(unlimited.getHeaderString("RateLimit")).isNull();
    }

    @Test
    void aLimitOnTheOverriddenSuperclassMethodApplies() {
        twoThenDenied("override/get", "\"base-method\";q=2;w=60");
    }

    @Test
    void aClassLevelLimitOnAnAbstractBaseClassApplies() {
        twoThenDenied("base-class", "\"base-class\";q=2;w=60");
    }

    @Test
    void aClassLevelLimitOnAnInterfaceTypeApplies() {
        twoThenDenied("iface-type", "\"iface-type\";q=2;w=60");
    }

    @Test
    void theNearestDeclarationWins() {
        assertThat(target("nearest/a").request().get().getHeaderString("RateLimit-Policy"))
                .as("the method's own limit beats the interface method's").isEqualTo("\"nearest-own\";q=3;w=60");
        assertThat(target("nearest/b").request().get().getHeaderString("RateLimit-Policy"))
                .as("the class's limit applies to a method with none in its hierarchy")
                .isEqualTo("\"nearest-class\";q=9;w=60");
    }

    @Test
    void aLimitOnAGenericInterfaceMethodApplies() {
        for (int i = 0; i < 2; i++) {
            Response ok = target("generic").request().post(Entity.text("x"));
            assertThat(ok.getStatus()).isEqualTo(200);
            assertThat(ok.getHeaderString("RateLimit-Policy")).isEqualTo("\"generic\";q=2;w=60");
        }
        assertThat(target("generic").request().post(Entity.text("x")).getStatus()).isEqualTo(429);
    }

    @Test
    void overloadedMethodsCountApartUnderDistinctDefaultNames() {
        String type = InheritanceResources.Overloads.class.getName();
        assertThat(target("over/a").request().get().getHeaderString("RateLimit-Policy"))
                .isEqualTo("\"" + ResourceLimits.defaultName(type + "#over()") + "\";q=2;w=60");
        assertThat(target("over/a").request().get().getStatus()).isEqualTo(200);
        assertThat(target("over/a").request().get().getStatus()).isEqualTo(429);

        Response b = target("over/b/7").request().get();
        assertThat(b.getStatus()).as("GET over/b/{id} has a counter of its own").isEqualTo(200);
        assertThat(b.getHeaderString("RateLimit-Policy"))
                .isEqualTo("\"" + ResourceLimits.defaultName(type + "#over(String)") + "\";q=2;w=60");
        Response post = target("over/a").request().post(Entity.text("x"));
        assertThat(post.getStatus()).as("POST over/a has a counter of its own").isEqualTo(200);
        assertThat(post.getHeaderString("RateLimit-Policy"))
                .isEqualTo("\"" + ResourceLimits.defaultName(type + "#over(String,int)") + "\";q=2;w=60");
    }
}
