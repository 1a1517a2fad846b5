package dev.ratelimit.servlet;

import dev.ratelimit.internal.config.ApplicationLimiter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletException;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invalid init-params (and invalid global settings) stop the web application at deployment, in a real Jetty, with a
 * message naming the filter, the parameter and the value: never at the first request, never silently.
 */
class BadInitParamTest {

    private TestServer jetty;

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void anInvalidInitParamFailsTheStartOfAnEmbeddedContext() {
        jetty = new TestServer().filter("api-limit", "/*", "limit", "100", "window", "soon");

        assertThatThrownBy(jetty::start)
                .isInstanceOf(ServletException.class)
                .hasMessage("Rate-limit filter 'api-limit': init-param window='soon' is invalid: window 'soon' is not "
                        + "a duration; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M");
        assertThat(jetty.context.isAvailable()).isFalse();
        assertThat(jetty.context.isFailed()).isTrue();
    }

    @Test
    void anInvalidGlobalSettingFailsTheStartNamingTheFilterAndTheSetting() {
        jetty = new TestServer().contextParam("ratelimit.headers", "FANCY")
                .filter("api-limit", "/*", "limit", "100", "window", "1m");

        assertThatThrownBy(jetty::start)
                .isInstanceOf(ServletException.class)
                .hasMessage("Rate-limit filter 'api-limit': ratelimit.headers='FANCY' (from context-param/init-param "
                        + "ratelimit.headers) must be one of IETF, LEGACY, BOTH, NONE");
    }

    @Test
    void aContextWideSettingGivenToOneFilterFailsTheStart() {
        jetty = new TestServer().filter("api-limit", "/*", "limit", "100", "window", "1m",
                "ratelimit.fallback.policy", "DENY");

        assertThatThrownBy(jetty::start)
                .isInstanceOf(ServletException.class)
                .hasMessageStartingWith("Rate-limit filter 'api-limit': init-param ratelimit.fallback.policy is not a "
                        + "setting a filter may override; those are ratelimit.headers, ratelimit.headers.draft, "
                        + "ratelimit.headers.legacy-prefix, ratelimit.headers.threshold, ratelimit.shadow, "
                        + "ratelimit.trusted-proxies, ratelimit.ipv6-prefix-length, ratelimit.count-options, "
                        + "ratelimit.exempt.networks, ratelimit.exempt.principals, ratelimit.exempt.roles.");
    }

    @Test
    void aCostAboveTheLimitFailsTheStartNamingInitParamCostAndItsValue() {
        jetty = new TestServer().filter("export", "/export/*", "limit", "5", "window", "1m", "cost", "6");

        assertThatThrownBy(jetty::start)
                .isInstanceOf(ServletException.class)
                .hasMessage("Rate-limit filter 'export': init-param cost='6' is invalid: cost 6 is above the limit 5: "
                        + "a request of that cost could never pass");
        assertThat(jetty.context.isAvailable()).isFalse();
    }

    @Test
    void whenOneOfTwoFiltersFailsTheOtherReleasesTheSharedLimiterOnStop() {
        jetty = new TestServer()
                .filter("good", "/good/*", "limit", "1", "window", "1m")
                .filter("bad", "/bad/*", "limit", "1", "window", "1m", "cost", "many");

        assertThatThrownBy(jetty::start)
                .isInstanceOf(ServletException.class)
                .hasMessage("Rate-limit filter 'bad': init-param cost='many' is invalid: cost must be a whole number");
        ApplicationLimiter.Shared shared = (ApplicationLimiter.Shared) jetty.servletContext().getAttribute(ApplicationLimiter.OWNER_ATTRIBUTE);
        assertThat(shared.users()).as("only the good filter holds it").isEqualTo(1);

        jetty.close();
        jetty = null;
        assertThat(shared.users()).isEqualTo(0);
    }

    @Test
    void aWebXmlWithAnInvalidInitParamLeavesTheWebApplicationUnavailable() throws Exception {
        int before = OkServlet.ALL_INVOCATIONS.get();
        WebAppContext webapp = TestServer.webapp("broken");
        jetty = new TestServer(webapp).start(); // Jetty keeps running; the web application does not

        assertThat(webapp.isAvailable()).isFalse();
        assertThat(webapp.getUnavailableException())
                .isInstanceOf(ServletException.class)
                .hasMessage("Rate-limit filter 'api-limit': init-param window='1 minute' is invalid: window '1 minute' "
                        + "is not a duration; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M");
        HttpResponse<String> response = jetty.get("/anything");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(OkServlet.ALL_INVOCATIONS.get()).isEqualTo(before);
    }
}
