package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/** Invalid annotations stop the application at deployment, naming the class, method and value. */
class DeploymentValidationTest {

    @Test
    void anUnparseableWindowFailsDeployment() {
        ResourceConfig app = new ResourceConfig(TestResources.BadWindow.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid @RateLimited on dev.ratelimit.jaxrs.TestResources$BadWindow#get: "
                        + "window 'soon' is not a duration");
    }

    @Test
    void aHeaderKeyWithoutHeaderNameFailsDeployment() {
        ResourceConfig app = new ResourceConfig(TestResources.BadHeaderKey.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid @RateLimited on dev.ratelimit.jaxrs.TestResources$BadHeaderKey#get: "
                        + "key HEADER needs a keyHeader naming the header");
    }

    @Test
    void anInvalidSettingFailsDeploymentNamingIt() {
        ResourceConfig app = new ResourceConfig(TestResources.Misc.class).register(RateLimitFeature.class)
                .property("ratelimit.headers", "SOME");
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ratelimit.headers='SOME'").hasMessageContaining("must be one of IETF, LEGACY, BOTH, NONE");
    }
}
