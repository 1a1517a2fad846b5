package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.internal.http.RequestDecider;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.Rejection;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.internal.http.RateLimitHeaders;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.internal.config.LiveOverrides;
import dev.ratelimit.internal.http.PlanRules;
import dev.ratelimit.internal.http.StatusCondition;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.internal.inject.InjectionManager;

/**
 * Enforces the pre-parsed rules of one resource method. Runs after authentication, so the principal is known;
 * rejects with 429 (or 503 when the limiter is unavailable under a fail-closed policy) before the resource is
 * invoked, and adds the rate-limit headers to every response of the method, with {@code Cache-Control} made
 * {@code private} ({@link RateLimitHeaders#cacheControl(String)}). In a servlet container an allowed request's headers
 * are also set on the servlet response at once ({@link ServletResponseHeaders}), so that a 500 for an exception no
 * mapper handles carries them too. OPTIONS requests pass untouched unless {@code ratelimit.count-options} is true.
 */
@Priority(Priorities.AUTHENTICATION + 100)
final class LimitedMethodFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final String VERDICT = LimitedMethodFilter.class.getName() + ".verdict";

    private final List<RateLimitRule> rules;
    /** The responses that count, by rule name; empty when all do. */
    private final Map<String, StatusCondition> countWhen;
    private final InjectionManager services;
    private final boolean countOptions;
    private final ServletResponseHeaders servletResponse;
    private volatile Services resolved;

    /**
     * A filter for one method's rules.
     *
     * @param found the method and its rules (as declared, with the settings' overrides)
     * @param plans the plan table of the settings, or null: it reads and checks its values for these rules now, at
     *              deployment, so that an invalid one fails the application (whether it is used or the application
     *              binds its own rules resolver)
     * @param live  the run-time overrides: the filter registers its rules there (and they are checked under the
     *              overrides in force)
     * @throws IllegalArgumentException naming the plan setting whose value makes no valid rule of these, or the
     *                                  override that does
     */
    LimitedMethodFilter(ResourceLimits.Limits found, InjectionManager services, boolean countOptions,
            ServletResponseHeaders servletResponse, PlanRules plans, LiveOverrides live) {
        this.rules = List.copyOf(found.rules());
        this.countWhen = found.countWhen();
        if (plans != null) {
            plans.prepare(this.rules);
        }
        live.register(found.method(), this.rules, plans == null ? list -> { } : plans::prepare);
        this.services = services;
        this.countOptions = countOptions;
        this.servletResponse = servletResponse;
    }

    /** The services, looked up once at the first request (the application's bindings are complete by then). */
    private Services services() {
        Services s = resolved;
        if (s == null) {
            RejectionHandler rejections = services.getInstance(RejectionHandler.class);
            RulesResolver rulesResolver = services.getInstance(RulesResolver.class);
            s = new Services(services.getInstance(RequestDecider.class), services.getInstance(KeyResolver.class),
                    services.getInstance(PeerAddress.class),
                    rejections == RateLimitBinder.StandardRejection.INSTANCE ? null : rejections,
                    rulesResolver == RateLimitBinder.DeclaredRules.INSTANCE ? null : rulesResolver);
            resolved = s;
        }
        return s;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!countOptions && HttpMethod.OPTIONS.equals(request.getMethod())) {
            return;
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        Services s = services();
        RequestDecider.Verdict verdict = s.limiter.check(rules, new View(request, s), s.rulesResolver, s.keyResolver,
                s.rejections, path);
        request.setProperty(VERDICT, verdict);
        if (verdict.reject()) {
            Rejection rejection = verdict.rejection();
            request.abortWith(Response.status(rejection.status())
                    .type(rejection.contentType())
                    .entity(rejection.body())
                    .build());
        } else if (!verdict.headers().isEmpty()) {
            servletResponse.set(verdict.headers());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object verdict = request.getProperty(VERDICT);
        if (!countWhen.isEmpty() && verdict instanceof RequestDecider.Verdict) {
            // a response that does not count gives its permits back (the headers below still count them)
            services().limiter.completed((RequestDecider.Verdict) verdict, countWhen, response.getStatus());
        }
        if (verdict instanceof RequestDecider.Verdict && !((RequestDecider.Verdict) verdict).headers().isEmpty()) {
            MultivaluedMap<String, Object> headers = response.getHeaders();
            for (RateLimitHeaders.Header header : ((RequestDecider.Verdict) verdict).headers()) {
                // put, like putSingle, replaces a header the resource set, but looks the name up once, not twice
                // (Jersey hashes header names case-insensitively, lower-casing them each time)
                List<Object> value = new ArrayList<>(1);
                value.add(header.value());
                headers.put(header.name(), value);
            }
            // the headers are this client's: no shared cache may serve the response to another client
            List<Object> cacheControl = new ArrayList<>(1);
            cacheControl.add(RateLimitHeaders.cacheControl(response.getHeaderString(RateLimitHeaders.CACHE_CONTROL)));
            headers.put(RateLimitHeaders.CACHE_CONTROL, cacheControl);
        }
    }

    /** What the filter needs from the application's services. */
    private record Services(RequestDecider limiter, KeyResolver keyResolver, PeerAddress peerAddress,
                            RejectionHandler rejections, RulesResolver rulesResolver) {
    }

    /**
     * The request as the core sees it: peer address from the {@link PeerAddress}, principal and roles from JAX-RS
     * security ({@link SecurityContext}).
     */
    private static final class View implements RequestView {
        private final ContainerRequestContext request;
        private final Services services;

        View(ContainerRequestContext request, Services services) {
            this.request = request;
            this.services = services;
        }

        @Override
        public String remoteAddress() {
            return services.peerAddress.resolve(request);
        }

        @Override
        public String principalName() {
            Principal principal = request.getSecurityContext() == null ? null
                    : request.getSecurityContext().getUserPrincipal();
            return principal == null ? null : principal.getName();
        }

        @Override
        public List<String> headerValues(String name) {
            List<String> values = request.getHeaders().get(name);
            return values == null ? List.of() : values;
        }

        @Override
        public boolean isUserInRole(String role) {
            SecurityContext security = request.getSecurityContext();
            return security != null && security.getUserPrincipal() != null && security.isUserInRole(role);
        }
    }
}
