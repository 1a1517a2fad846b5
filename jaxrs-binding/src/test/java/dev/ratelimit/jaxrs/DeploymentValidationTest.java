package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * Invalid annotations stop the application at deployment, naming the class, method and value; so does a
 * {@code @RateLimited} the binding could not apply (issue 17): on a sub-resource locator, on an OPTIONS method while
 * OPTIONS requests are not counted, or declared differently by two interfaces of one method.
 */
class DeploymentValidationTest {

    @Test
    void anUnparseableWindowFailsDeployment() {
        ResourceConfig app = new ResourceConfig(TestResources.BadWindow.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid @RateLimited on dev.ratelimit.jaxrs.TestResources$BadWindow#get(): "
                        + "window 'soon' is not a duration");
    }

    @Test
    void aHeaderKeyWithoutHeaderNameFailsDeployment() {
        ResourceConfig app = new ResourceConfig(TestResources.BadHeaderKey.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid @RateLimited on dev.ratelimit.jaxrs.TestResources$BadHeaderKey#get(): "
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

    @Test
    void aCostAboveTheLimitFailsDeploymentNamingTheMethod() {
        ResourceConfig app = new ResourceConfig(TestResources.CostAboveLimit.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid @RateLimited on dev.ratelimit.jaxrs.TestResources$CostAboveLimit#get(): cost 6 is "
                        + "above the limit 5: a request of that cost could never pass");
    }

    @Test
    void twoInterfacesDeclaringDifferentLimitsForOneMethodFailDeployment() {
        ResourceConfig app = new ResourceConfig(InheritanceResources.Conflict.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Conflicting @RateLimited on dev.ratelimit.jaxrs.InheritanceResources$LimitedOne#get() and "
                        + "dev.ratelimit.jaxrs.InheritanceResources$LimitedTwo#get(), both implemented by "
                        + "dev.ratelimit.jaxrs.InheritanceResources$Conflict#get(): declare the limits that apply on "
                        + "dev.ratelimit.jaxrs.InheritanceResources$Conflict#get() itself");
    }

    @Test
    void aLimitOnASubResourceLocatorFailsDeploymentSayingWhereToPutIt() {
        ResourceConfig app = new ResourceConfig(LocatorResources.LimitedLocator.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@RateLimited on dev.ratelimit.jaxrs.LocatorResources$LimitedLocator#items() cannot apply: "
                        + "it is a sub-resource locator (/limited-locator/items), which no JAX-RS filter sees. Put it on "
                        + "the sub-resource class dev.ratelimit.jaxrs.LocatorResources$Items or on its resource methods.");
    }

    @Test
    void aClassLevelLimitOnAClassWithALocatorFailsDeploymentSayingWhereToPutIt() {
        ResourceConfig app = new ResourceConfig(LocatorResources.ClassLimitedLocator.class)
                .register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@RateLimited on class dev.ratelimit.jaxrs.LocatorResources$ClassLimitedLocator cannot "
                        + "apply to dev.ratelimit.jaxrs.LocatorResources$ClassLimitedLocator#items(): it is a "
                        + "sub-resource locator (/class-limited-locator/items), which no JAX-RS filter sees. Put it on "
                        + "the sub-resource class dev.ratelimit.jaxrs.LocatorResources$Items or on its resource methods, "
                        + "and on the resource methods of dev.ratelimit.jaxrs.LocatorResources$ClassLimitedLocator "
                        + "instead of the class.");
    }

    @Test
    void anInvalidLimitOnASubResourceFailsDeploymentNotTheFirstRequest() {
        ResourceConfig app = new ResourceConfig(LocatorResources.BadItemsLocator.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid @RateLimited on dev.ratelimit.jaxrs.LocatorResources$BadItems#list(): "
                        + "window 'soon' is not a duration");
    }

    @Test
    void aLimitOnAnOptionsMethodFailsDeploymentWhileOptionsAreNotCounted() {
        ResourceConfig app = new ResourceConfig(OptionsResources.LimitedOptionsMethod.class)
                .register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@RateLimited on dev.ratelimit.jaxrs.OptionsResources$LimitedOptionsMethod#options() "
                        + "cannot apply: it is an OPTIONS method and ratelimit.count-options is false, so OPTIONS "
                        + "requests are not counted. Set ratelimit.count-options=true, or remove the annotation.");
    }
}
