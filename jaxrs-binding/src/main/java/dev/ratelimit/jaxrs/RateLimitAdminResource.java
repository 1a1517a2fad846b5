package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.internal.config.RateLimitSettings;
import dev.ratelimit.internal.http.AdminOperations;
import dev.ratelimit.metrics.RateLimitMetrics;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.security.Principal;
import java.util.List;

/**
 * The admin endpoint, off until an application registers this resource (next to {@link RateLimitFeature}): an
 * operator looks at one client under a rule, resets it, blocks it or gives it permits back, by the rule's name as
 * clients see it in {@code RateLimit-Policy} and the client key as it is counted ({@code ip:203.0.113.7},
 * {@code user:alice}, {@code header:…}), percent-encoded:
 * <ul>
 *   <li>{@code GET /admin/ratelimit/{rule}/{key}}: 200, {@code {"limit":…,"remaining":…,"reset":…,"retryAfter":…}}
 *       (seconds), consuming nothing;</li>
 *   <li>{@code DELETE /admin/ratelimit/{rule}/{key}}: 204, the client starts again with the full limit;</li>
 *   <li>{@code POST /admin/ratelimit/{rule}/{key}/block?seconds=N}: 204, the client is refused for N seconds;</li>
 *   <li>{@code POST /admin/ratelimit/{rule}/{key}/refund?permits=N}: 204, N permits back, never above the limit.</li>
 * </ul>
 * Only a caller with the role {@code ratelimit.admin.role} may (no principal: 401, another role: 403); without that
 * setting the application fails to start. An unknown rule is a 404 problem. Every action is logged with the caller,
 * the rule and a hash of the key. See docs/operating.md.
 */
@Path("admin/ratelimit")
public class RateLimitAdminResource {

    @Inject
    private RateLimiter limiter;
    @Inject
    private RuleOverrides rules;
    @Inject
    private RateLimitSettings settings;
    @Inject
    private RateLimitMetrics metrics;
    @Context
    private SecurityContext security;
    @Context
    private HttpHeaders headers;
    @Context
    private UriInfo uri;

    /** Made by Jersey, per request. */
    public RateLimitAdminResource() {
    }

    /**
     * The client's state under the rule, consuming nothing.
     *
     * @param rule the rule's name
     * @param key  the client key as counted
     * @return 200 with {@code limit}, {@code remaining}, {@code reset} and {@code retryAfter}, or a problem
     */
    @GET
    @Path("{rule}/{key}")
    public Response peek(@PathParam("rule") String rule, @PathParam("key") String key) {
        return perform("peek", rule, key, null);
    }

    /**
     * Resets the client under the rule: it starts again with the full limit, on every instance.
     *
     * @param rule the rule's name
     * @param key  the client key as counted
     * @return 204, or a problem
     */
    @DELETE
    @Path("{rule}/{key}")
    public Response reset(@PathParam("rule") String rule, @PathParam("key") String key) {
        return perform("reset", rule, key, null);
    }

    /**
     * Blocks the client under the rule.
     *
     * @param rule    the rule's name
     * @param key     the client key as counted
     * @param seconds how long, 1 to 366 days' worth
     * @return 204, or a problem
     */
    @POST
    @Path("{rule}/{key}/block")
    public Response block(@PathParam("rule") String rule, @PathParam("key") String key,
            @QueryParam("seconds") String seconds) {
        return perform("block", rule, key, seconds);
    }

    /**
     * Gives the client permits back under the rule, never above the limit.
     *
     * @param rule    the rule's name
     * @param key     the client key as counted
     * @param permits how many, at least 1
     * @return 204, or a problem
     */
    @POST
    @Path("{rule}/{key}/refund")
    public Response refund(@PathParam("rule") String rule, @PathParam("key") String key,
            @QueryParam("permits") String permits) {
        return perform("refund", rule, key, permits);
    }

    private Response perform(String operation, String rule, String key, String amount) {
        String role = settings.adminRole();
        if (role == null) { // the startup check fails the application first; this is for a resource made by hand
            return Response.status(503).build();
        }
        AdminOperations.Answer answer = new AdminOperations(limiter, rules, role, metrics)
                .perform(new Caller(security, headers), operation, rule, key, amount, uri.getRequestUri().getRawPath());
        Response.ResponseBuilder r = Response.status(answer.status()).header("Cache-Control", "no-store");
        return answer.body() == null ? r.build() : r.type(answer.contentType()).entity(answer.body()).build();
    }

    /** The caller as the core sees it: principal and roles from JAX-RS security. */
    private static final class Caller implements RequestView {
        private final SecurityContext security;
        private final HttpHeaders headers;

        Caller(SecurityContext security, HttpHeaders headers) {
            this.security = security;
            this.headers = headers;
        }

        @Override
        public String remoteAddress() {
            return null;
        }

        @Override
        public String principalName() {
            Principal p = security == null ? null : security.getUserPrincipal();
            return p == null ? null : p.getName();
        }

        @Override
        public List<String> headerValues(String name) {
            List<String> values = headers.getRequestHeader(name);
            return values == null ? List.of() : values;
        }

        @Override
        public boolean isUserInRole(String role) {
            return security != null && security.isUserInRole(role);
        }
    }
}
