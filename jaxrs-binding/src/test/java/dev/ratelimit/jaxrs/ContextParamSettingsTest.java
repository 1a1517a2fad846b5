package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.test.DeploymentContext;
import org.glassfish.jersey.test.ServletDeploymentContext;
import org.junit.jupiter.api.Test;

/** Settings given as web.xml context-params reach the binding (here: the trusted proxies). */
class ContextParamSettingsTest extends JerseyServletTest {

    @Override
    protected ResourceConfig application() {
        return new ResourceConfig(TestResources.Misc.class).register(RateLimitFeature.class);
    }

    @Override
    protected DeploymentContext configureDeployment() {
        forceSet(org.glassfish.jersey.test.TestProperties.CONTAINER_PORT, "0");
        return ServletDeploymentContext.forServlet(new ServletContainer(application()))
                .contextParam("ratelimit.trusted-proxies", "127.0.0.1, ::1")
                .build();
    }

    @Test
    void trustedProxiesFromAContextParamAreHonoured() {
        for (int i = 0; i < 2; i++) {
            assertThat(target("misc/ip").request().header("X-Forwarded-For", "192.0.2.1").get().getStatus())
                    .isEqualTo(200);
        }
        assertThat(target("misc/ip").request().header("X-Forwarded-For", "192.0.2.1").get().getStatus())
                .isEqualTo(429);
        assertThat(target("misc/ip").request().header("X-Forwarded-For", "192.0.2.2").get().getStatus())
                .as("another client behind the trusted proxy").isEqualTo(200);
    }
}
