package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * At deployment the binding lists every resource method with the limits that apply to it, unlimited ones included, at
 * INFO (issue 17, "Done when"), so an operator sees at a glance that nothing was left unlimited by mistake.
 */
class StartupListingTest {

    /** What the application logs while it starts (slf4j-simple writes to {@code System.err}), spaces collapsed. */
    private static String startupLog(ResourceConfig app) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            new ApplicationHandler(app);
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        err.print(log);
        return log.replaceAll(" +", " ");
    }

    @Test
    void everyResourceMethodIsListedWithItsLimitsOrAsUnlimited() {
        String log = startupLog(new ResourceConfig(TestResources.ClassLimited.class, TestResources.Misc.class,
                LocatorResources.Shop.class, InheritanceResources.ImplementsLimitedApi.class,
                OptionsResources.ClassLimited.class).register(RateLimitFeature.class));
        String p = "dev.ratelimit.jaxrs.";
        assertThat(log).contains("INFO dev.ratelimit.jaxrs.RateLimitModelProcessor - Rate limits of 20 resource methods "
                + "(16 limited, 4 unlimited; OPTIONS requests are not counted: ratelimit.count-options=false):");
        assertThat(log).contains(" GET /class/inherits " + p + "TestResources$ClassLimited#inherits(): "
                + "class-level[1 per PT1M, FIXED_WINDOW, key PRINCIPAL_OR_IP] (from class " + p
                + "TestResources$ClassLimited)\n");
        assertThat(log).contains(" GET /class/own " + p + "TestResources$ClassLimited#own(): "
                + "method-level[3 per PT1M, FIXED_WINDOW, key PRINCIPAL_OR_IP]\n");
        assertThat(log).contains(" GET /misc/multi " + p + "TestResources$Misc#multi(): "
                + "per-second[2 per PT1S, FIXED_WINDOW, key PRINCIPAL_OR_IP], "
                + "per-ten[4 per PT10S, FIXED_WINDOW, key PRINCIPAL_OR_IP]\n");
        assertThat(log).contains(" GET /misc/unlimited " + p + "TestResources$Misc#unlimited(): UNLIMITED\n");
        assertThat(log).contains(" GET /iface/a " + p + "InheritanceResources$ImplementsLimitedApi#a(): "
                + "iface-method[2 per PT1M, FIXED_WINDOW, key PRINCIPAL_OR_IP] (from " + p
                + "InheritanceResources$LimitedApi#a())\n");
        assertThat(log).contains(" GET /iface/b " + p + "InheritanceResources$ImplementsLimitedApi#b(): UNLIMITED\n");
        assertThat(log).contains(" OPTIONS /opt/own " + p + "OptionsResources$ClassLimited#own(): not counted "
                + "(OPTIONS)\n");
        assertThat(log).contains(" LOCATOR /shop/items " + p + "LocatorResources$Shop#items(): sub-resource "
                + p + "LocatorResources$Items\n");
        assertThat(log).contains(" GET /shop/items " + p + "LocatorResources$Items#list(): "
                + "items[2 per PT1M, FIXED_WINDOW, key PRINCIPAL_OR_IP]\n");
        assertThat(log).contains(" GET /shop/items/free " + p + "LocatorResources$Items#free(): UNLIMITED\n");
        assertThat(log).contains(" LOCATOR /shop/anything " + p + "LocatorResources$Shop#anything(): sub-resource "
                + "known when the locator runs (listed then)\n");
    }

    @Test
    void withCountedOptionsJerseysAutomaticAnswersAreListedToo() {
        String log = startupLog(new ResourceConfig(OptionsResources.ClassLimited.class,
                OptionsResources.MethodLimited.class).register(RateLimitFeature.class)
                .property("ratelimit.count-options", "true"));
        String type = "dev.ratelimit.jaxrs.OptionsResources$ClassLimited";
        assertThat(log).contains("Rate limits of 4 resource methods (4 limited, 0 unlimited; OPTIONS requests are "
                + "counted: ratelimit.count-options=true):");
        // the listing maps each opaque default name to its method
        assertThat(log).contains(" OPTIONS /opt " + type + "#OPTIONS (Jersey's automatic answer): "
                + ResourceLimits.defaultName(type + "#OPTIONS")
                + "[2 per PT1M, FIXED_WINDOW, key PRINCIPAL_OR_IP] (from class " + type + ")\n");
        assertThat(log).contains(" OPTIONS /opt/own " + type + "#own(): " + ResourceLimits.defaultName(type + "#own()")
                + "[2 per PT1M, FIXED_WINDOW, key PRINCIPAL_OR_IP] (from class " + type + ")\n");
        assertThat(log).contains(" OPTIONS /opt-method dev.ratelimit.jaxrs.OptionsResources$MethodLimited#OPTIONS "
                + "(Jersey's automatic answer): UNLIMITED\n");
    }
    @Test
    void exemptMethodsAreListedAsExemptAndCountedApartWithTheClientsExemptByConfiguration() {
        String log = startupLog(new ResourceConfig(ExemptResources.Orders.class,
                ExemptResources.ImplementsExemptApi.class, ExemptResources.OverridesExemptBase.class,
                ExemptResources.ExemptClass.class, TestResources.Misc.class).register(RateLimitFeature.class)
                .property("ratelimit.exempt.principals", "monitor").property("ratelimit.exempt.roles", "ops"));
        String p = "dev.ratelimit.jaxrs.ExemptResources$";
        assertThat(log).containsPattern("Rate limits of \\d+ resource methods \\(\\d+ limited, \\d+ unlimited, 4 exempt; "
                + "OPTIONS requests are not counted: ratelimit.count-options=false; clients exempt by configuration: "
                + "principals \\[monitor\\], roles \\[ops\\]\\):");
        assertThat(log).contains(" GET /orders/health " + p + "Orders#health(): EXEMPT\n");
        assertThat(log).contains(" GET /orders " + p + "Orders#list(): orders[1 per PT1M, FIXED_WINDOW, key "
                + "PRINCIPAL_OR_IP] (from class " + p + "Orders)\n");
        assertThat(log).contains(" GET /api/status " + p + "ImplementsExemptApi#status(): EXEMPT (from " + p
                + "ExemptApi#status())\n");
        assertThat(log).contains(" GET /sub/ping " + p + "OverridesExemptBase#ping(): EXEMPT (from " + p
                + "ExemptBase#ping())\n");
        assertThat(log).contains(" GET /sub/limited-here " + p + "OverridesExemptBase#limitedHere(): own[1 per PT1M, "
                + "FIXED_WINDOW, key PRINCIPAL_OR_IP]\n");
        assertThat(log).contains(" GET /internal " + p + "ExemptClass#get(): EXEMPT (from class " + p
                + "ExemptClass)\n");
        assertThat(log).contains(" GET /misc/unlimited dev.ratelimit.jaxrs.TestResources$Misc#unlimited(): UNLIMITED\n");
    }

    @Test
    void theListingShowsTheRulesAfterOverridesAndNamesThePlanTable() {
        String log = startupLog(new ResourceConfig(TestResources.Misc.class).register(RateLimitFeature.class)
                .property("ratelimit.rules.per-second.limit", "9")
                .property("ratelimit.plans.names", "pro").property("ratelimit.plans.pro.role", "pro-role"));
        assertThat(log).contains("; rules per request from the plans [pro (role pro-role)] unless the application "
                + "binds its own RulesResolver):");
        assertThat(log).as("the override, not the annotation's 2")
                .contains("TestResources$Misc#multi(): per-second[9 per PT1S, FIXED_WINDOW, key PRINCIPAL_OR_IP, "
                        + "counter of 2 per PT1S], per-ten[4 per PT10S, FIXED_WINDOW, key PRINCIPAL_OR_IP]\n");
    }
}
