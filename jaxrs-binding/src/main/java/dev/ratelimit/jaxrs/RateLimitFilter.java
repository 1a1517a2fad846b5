package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.HttpRateLimiter;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.ProblemResponse;
import dev.ratelimit.http.RateLimitHeaders;
import dev.ratelimit.http.RequestView;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Type;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.internal.inject.InjectionManager;
import org.glassfish.jersey.internal.util.collection.Ref;

/**
 * Enforces the pre-parsed rules of one resource method. Runs after authentication, so the principal is known;
 * rejects with 429 (or 503 when the limiter is unavailable under a fail-closed policy) before the resource is
 * invoked, and adds the rate-limit headers to every response of the method.
 */
@Priority(Priorities.AUTHENTICATION + 100)
final class RateLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final String VERDICT = RateLimitFilter.class.getName() + ".verdict";

    private final List<RateLimitRule> rules;
    private final InjectionManager services;
    private volatile Services resolved;

    RateLimitFilter(List<RateLimitRule> rules, InjectionManager services) {
        this.rules = List.copyOf(rules);
        this.services = services;
    }

    /** The services, looked up once at the first request (the application's bindings are complete by then). */
    private Services services() {
        Services s = resolved;
        if (s == null) {
            s = new Services(services.getInstance(HttpRateLimiter.class), services.getInstance(KeyResolver.class),
                    SERVLET_API && services.getInstance(HttpServletRequest.class) != null);
            resolved = s;
        }
        return s;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        Services s = services();
        HttpRateLimiter.Verdict verdict = s.limiter.check(rules, new View(request, s), s.keyResolver, path);
        request.setProperty(VERDICT, verdict);
        if (verdict.reject()) {
            request.abortWith(Response.status(verdict.status())
                    .type(ProblemResponse.contentType())
                    .entity(verdict.body())
                    .build());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object verdict = request.getProperty(VERDICT);
        if (verdict instanceof HttpRateLimiter.Verdict) {
            MultivaluedMap<String, Object> headers = response.getHeaders();
            for (RateLimitHeaders.Header header : ((HttpRateLimiter.Verdict) verdict).headers()) {
                // put, like putSingle, replaces a header the resource set, but looks the name up once, not twice
                // (Jersey hashes header names case-insensitively, lower-casing them each time)
                List<Object> value = new ArrayList<>(1);
                value.add(header.value());
                headers.put(header.name(), value);
            }
        }
    }

    private static final boolean SERVLET_API = isPresent("jakarta.servlet.http.HttpServletRequest");

    /**
     * {@code Ref<HttpServletRequest>}: Jersey's servlet container sets this reference to the servlet request when a
     * request begins, so looking it up finds an existing object, where looking up {@code HttpServletRequest} itself
     * makes HK2 build it through a factory in every request (8 % of a limited request's server time in a profile,
     * against 2 %). Null when the types are not there, and then the filter looks the request up directly.
     */
    private static final Type REQUEST_REF = requestRefType();

    private static Type requestRefType() {
        if (!SERVLET_API) {
            return null;
        }
        try {
            return new GenericType<Ref<HttpServletRequest>>() {
            }.getType();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The servlet request of the current request, or null outside a servlet container. */
    private HttpServletRequest currentServletRequest() {
        if (REQUEST_REF != null) {
            Ref<HttpServletRequest> ref = services.getInstance(REQUEST_REF);
            HttpServletRequest request = ref == null ? null : ref.get();
            if (request != null) {
                return request;
            }
        }
        return services.getInstance(HttpServletRequest.class);
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, RateLimitFilter.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** What the filter needs from the application's services. */
    private record Services(HttpRateLimiter limiter, KeyResolver keyResolver, boolean servlet) {
    }

    /** The request as the core sees it: peer address from the servlet request, principal from JAX-RS security. */
    private final class View implements RequestView {
        private final ContainerRequestContext request;
        private final Services services;

        View(ContainerRequestContext request, Services services) {
            this.request = request;
            this.services = services;
        }

        @Override
        public String remoteAddress() {
            if (!services.servlet) {
                return null; // not in a servlet container: the key falls back as documented in RequestKeys
            }
            HttpServletRequest servletRequest = RateLimitFilter.this.currentServletRequest();
            return servletRequest == null ? null : servletRequest.getRemoteAddr();
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
    }
}
