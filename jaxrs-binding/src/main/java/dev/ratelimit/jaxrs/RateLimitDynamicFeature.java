package dev.ratelimit.jaxrs;

import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.reflect.Method;
import java.util.function.Function;

/**
 * Attaches a {@link LimitedMethodFilter} with the parsed rules only to limited resource methods. The rules are read once
 * per resource method ({@link ResourceLimits}, which follows JAX-RS annotation inheritance: see
 * {@link LimitDeclarations}), at deployment for the application's resources (the {@link RateLimitModelProcessor} has
 * checked them all by then) and when first routed for a sub-resource whose class its locator did not name. Invalid
 * annotations throw, which stops the application from starting, with the class, method and value in the message.
 */
final class RateLimitDynamicFeature implements DynamicFeature {

    private final ResourceLimits limits;
    private final Function<ResourceLimits.Limits, LimitedMethodFilter> filter;
    private final ApplicationStartup check;

    RateLimitDynamicFeature(ResourceLimits limits, Function<ResourceLimits.Limits, LimitedMethodFilter> filter,
            ApplicationStartup check) {
        this.limits = limits;
        this.filter = filter;
        this.check = check;
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Method method = resourceInfo.getResourceMethod();
        Class<?> resource = resourceInfo.getResourceClass();
        if (method == null || resource == null) {
            return;
        }
        ResourceLimits.Limits found = limits.of(resource, method);
        if (!found.limited()) {
            return;
        }
        context.register(filter.apply(found));
        check.limited(found.method());
    }
}
