package dev.ratelimit.jaxrs;

import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.ResourceMethod;

/**
 * With {@code ratelimit.count-options=true}: counts and decorates Jersey's automatic answers to OPTIONS requests (a
 * path whose resource declares no {@code @OPTIONS} method of its own), which no {@code DynamicFeature} can attribute to
 * a resource class: Jersey adds them to the model as code ({@code Inflector}s), not as methods of the resource. They
 * take the class-level limits of the resource class serving the path ({@link ResourceLimits#automaticOptions}), found
 * once per class. Registered only when OPTIONS requests are counted; a resource's own OPTIONS methods have their own
 * {@link LimitedMethodFilter} like any method.
 */
@Priority(Priorities.AUTHENTICATION + 100)
final class AutomaticOptionsFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final String FILTER = AutomaticOptionsFilter.class.getName() + ".filter";

    private final ConcurrentMap<Class<?>, Optional<LimitedMethodFilter>> filters = new ConcurrentHashMap<>();
    private final Function<Class<?>, Optional<LimitedMethodFilter>> filterOf;

    AutomaticOptionsFilter(ResourceLimits limits, Function<ResourceLimits.Limits, LimitedMethodFilter> filter) {
        this.filterOf = type -> {
            ResourceLimits.Limits found = limits.automaticOptions(type);
            return found.limited() ? Optional.of(filter.apply(found)) : Optional.empty();
        };
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!HttpMethod.OPTIONS.equals(request.getMethod()) || !(request.getUriInfo() instanceof ExtendedUriInfo)) {
            return;
        }
        ResourceMethod matched = ((ExtendedUriInfo) request.getUriInfo()).getMatchedResourceMethod();
        if (matched == null || !matched.getInvocable().isInflector() || matched.getParent() == null) {
            return; // a resource's own OPTIONS method, limited (or not) by its own filter
        }
        for (ResourceMethod method : matched.getParent().getResourceMethods()) {
            if (!method.getInvocable().isInflector()) {
                Optional<LimitedMethodFilter> filter = filters.computeIfAbsent(
                        method.getInvocable().getHandler().getHandlerClass(), filterOf);
                if (filter.isPresent()) {
                    request.setProperty(FILTER, filter.get());
                    filter.get().filter(request);
                }
                return;
            }
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object filter = request.getProperty(FILTER);
        if (filter instanceof LimitedMethodFilter) {
            ((LimitedMethodFilter) filter).filter(request, response);
        }
    }
}
