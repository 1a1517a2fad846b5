package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Invalid annotations stop the application at deployment, naming the class, method and value; so does a
 * {@code @RateLimited} the binding could not apply (issue 17): on a sub-resource locator, on an OPTIONS method while
 * OPTIONS requests are not counted, or declared differently by two interfaces of one method; and a
 * {@code @RateLimitExempt} that conflicts with a {@code @RateLimited} or sits on a locator (issue 20).
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
    @Test
    void exemptAndLimitedOnOneMethodFailDeploymentNamingTheMethod() {
        ResourceConfig app = new ResourceConfig(ExemptResources.BothOnMethod.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@RateLimitExempt and @RateLimited on dev.ratelimit.jaxrs.ExemptResources$BothOnMethod#get(): "
                        + "it is either exempt from rate limits or limited, not both; remove one of them");
    }

    @Test
    void exemptAndLimitedOnOneClassFailDeploymentEvenWhenItsMethodsDeclareTheirOwn() {
        ResourceConfig app = new ResourceConfig(ExemptResources.BothOnClass.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@RateLimitExempt and @RateLimited on class dev.ratelimit.jaxrs.ExemptResources$BothOnClass: "
                        + "it is either exempt from rate limits or limited, not both; remove one of them");
    }

    @Test
    void oneInterfaceExemptingAndAnotherLimitingOneMethodFailDeployment() {
        ResourceConfig app = new ResourceConfig(ExemptResources.Conflict.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Conflicting @RateLimitExempt and @RateLimited on "
                        + "dev.ratelimit.jaxrs.ExemptResources$ExemptGet#get() and "
                        + "dev.ratelimit.jaxrs.ExemptResources$LimitedGet#get(), both implemented by "
                        + "dev.ratelimit.jaxrs.ExemptResources$Conflict#get(): declare the limits that apply on "
                        + "dev.ratelimit.jaxrs.ExemptResources$Conflict#get() itself");
    }

    @Test
    void anExemptionOnASubResourceLocatorFailsDeploymentSayingWhereToPutIt() {
        ResourceConfig app = new ResourceConfig(ExemptResources.ExemptLocator.class).register(RateLimitFeature.class);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@RateLimitExempt on dev.ratelimit.jaxrs.ExemptResources$ExemptLocator#items() cannot apply: "
                        + "it is a sub-resource locator (/exempt-locator/items), which no JAX-RS filter sees. Put it on "
                        + "the sub-resource class dev.ratelimit.jaxrs.LocatorResources$Items or on its resource methods.");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ratelimit.exempt.networks|10.0.0.0/8, ::1/200|ratelimit.exempt.networks='10.0.0.0/8, ::1/200' (from "
            + "context-param/init-param ratelimit.exempt.networks) is invalid: exempt network '::1/200' is not an IP "
            + "address or CIDR range such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1",
        "ratelimit.exempt.roles|*|ratelimit.exempt.roles='*' (from context-param/init-param ratelimit.exempt.roles) "
            + "is invalid: '*' is not a role name (wildcards are not supported: list the roles)"})
    void anInvalidExemptionSettingFailsDeploymentNamingIt(String setting, String value, String message) {
        ResourceConfig app = new ResourceConfig(TestResources.Misc.class).register(RateLimitFeature.class)
                .property(setting, value);
        assertThatThrownBy(() -> new ApplicationHandler(app))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
