package dev.ratelimit.servlet;

import dev.ratelimit.bindingcontract.BindingContract;
import dev.ratelimit.bindingcontract.ContractRejections;
import dev.ratelimit.bindingcontract.ContractRulesResolver;
import dev.ratelimit.bindingcontract.TenantKeyResolver;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The binding contract for the servlet filter: the catalogue as {@link RateLimitFilter}s declared with init-params
 * (one filter per endpoint, two for the shared name) in a real Jetty 12 (ee10), in front of {@link OkServlet}, with
 * {@link TestPrincipalFilter} declared first; the settings are context-params. When a test asks for the application's
 * rules resolver, every filter names {@link ContractRulesResolver} in its init-param {@code rulesResolver}. Decisions are made in a real Redis,
 * as the servlet tests the contract replaced did.
 */
class ServletBindingContractTest extends BindingContract {

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private TestServer jetty;

    @Override
    protected RateLimiter newLimiter(TimeSource clock) {
        return RedisRateLimiter.custom()
                .uri(RedisServer.shared().uri())
                .timeout(Duration.ofSeconds(2))
                .keyPrefix("servlet-contract-" + PREFIXES.incrementAndGet())
                .timeSource(clock)
                .build();
    }

    @Override
    protected URI deploy(Map<String, String> settings, RateLimiter limiter) throws Exception {
        jetty = new TestServer();
        if (limiter != null) {
            jetty.applicationLimiter(limiter);
        }
        jetty.principalFromHeader();
        settings.forEach(jetty::contextParam);
        boolean rules = "true".equals(settings.get(APPLICATION_RULES_RESOLVER));
        if ("true".equals(settings.get(ADMIN))) {
            jetty.servlet("admin", new RateLimitAdminServlet(), "/admin/ratelimit/*");
        }
        jetty.filter("one", "/one", params(rules, "limit", "3", "window", "1h", "algorithm", "TOKEN_BUCKET"))
                .filter("two", "/two", params(rules, "algorithm", "FIXED_WINDOW",
                        "limit.1", "2", "window.1", "1h", "name.1", "two-short",
                        "limit.2", "4", "window.2", "1d", "name.2", "two-long"))
                .filter("by-ip", "/ip", params(rules, "limit", "2", "window", "1h", "algorithm", "FIXED_WINDOW",
                        "key", "IP"))
                .filter("by-header", "/by-header", params(rules, "limit", "2", "window", "1h",
                        "algorithm", "FIXED_WINDOW", "key", "HEADER", "keyHeader", API_KEY_HEADER))
                .filter("by-tenant", "/custom", params(rules, "limit", "2", "window", "1h",
                        "algorithm", "FIXED_WINDOW", "key", "CUSTOM", "keyResolver", TenantKeyResolver.class.getName()))
                .filter("teapot", "/teapot", params(rules, "limit", "1", "window", "1h", "algorithm", "FIXED_WINDOW",
                        "rejectionHandler", ContractRejections.class.getName()))
                .filter("cost", "/cost", params(rules, "limit", "5", "window", "1h", "algorithm", "FIXED_WINDOW",
                        "cost", "2"))
                .filter("shared-a", "/shared-a", params(rules, "limit", "5", "window", "1h",
                        "algorithm", "FIXED_WINDOW", "name", "shared", "cost", "2"))
                .filter("shared-b", "/shared-b", params(rules, "limit", "5", "window", "1h",
                        "algorithm", "FIXED_WINDOW", "name", "shared"))
                .filter("failing", "/failing", params(rules, "limit", "2", "window", "1h",
                        "algorithm", "FIXED_WINDOW", "countWhen", "4xx"))
                .start();
        return URI.create(jetty.baseUri());
    }

    /** A filter's init-params, with the application's rules resolver when the test asks for it. */
    private static String[] params(boolean rulesResolver, String... params) {
        if (!rulesResolver) {
            return params;
        }
        String[] all = Arrays.copyOf(params, params.length + 2);
        all[params.length] = "rulesResolver";
        all[params.length + 1] = ContractRulesResolver.class.getName();
        return all;
    }

    @Override
    protected void undeploy() {
        jetty.close();
    }

    @Override
    protected int invocations() {
        return jetty.invocations.get();
    }
}
