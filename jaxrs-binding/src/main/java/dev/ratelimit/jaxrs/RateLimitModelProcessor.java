package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.internal.http.Exemptions;
import dev.ratelimit.internal.http.PlanRules;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.core.Configuration;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.glassfish.jersey.server.model.Invocable;
import org.glassfish.jersey.server.model.ModelProcessor;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.model.ResourceModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every resource method's limits at deployment and lists them at INFO, so an operator sees at a glance that
 * nothing was left unlimited by mistake. Refuses, with a message saying where the limit belongs, a {@code @RateLimited}
 * the binding could not apply:
 * <ul>
 *   <li>on a sub-resource locator, or on a class (or its superclasses or interfaces) whose locator it would reach:
 *       Jersey gives a {@code DynamicFeature} resource methods only, never locators, and the sub-resource's methods
 *       are matched after the locator ran;</li>
 *   <li>on an OPTIONS method (method-level) while {@code ratelimit.count-options} is false.</li>
 * </ul>
 * A {@code @RateLimitExempt} on a sub-resource locator is refused too (it would exempt nothing); exempt methods are
 * listed as {@code EXEMPT}, and counted apart from the unlimited ones.
 * Sub-resources are checked and listed at deployment when their locator's return type names a concrete class; a
 * locator returning {@code Object} (or an interface) gets its sub-resource's class only when it runs, and that
 * sub-resource is checked and listed then (a Jersey {@link ModelProcessor} sees it before its first request is routed).
 */
final class RateLimitModelProcessor implements ModelProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimitModelProcessor.class);

    private final ResourceLimits limits;
    /** A method's rules to those it counts under now (the rules file's overrides), for the listing. */
    private final UnaryOperator<List<RateLimitRule>> current;
    private final boolean countOptions;
    /** The clients exempt by configuration, for the listing's first line; empty when none. */
    private final String exemptClients;
    /** Sub-resource classes already checked and listed, at deployment or when first reached. */
    private final Set<Class<?>> listedSubResources = ConcurrentHashMap.newKeySet();

    /**
     * A model processor.
     *
     * @param limits       the limits of the application's resource methods
     * @param countOptions whether OPTIONS requests are counted
     * @param exemptions   the clients exempt by configuration, named in the listing
     * @param plans        the plan table of the settings, named in the listing; null when there is none
     * @param current      a method's rules to those it counts under now (the rules file's overrides)
     */
    RateLimitModelProcessor(ResourceLimits limits, boolean countOptions, Exemptions exemptions, PlanRules plans,
            UnaryOperator<List<RateLimitRule>> current) {
        this.limits = limits;
        this.current = current;
        this.countOptions = countOptions;
        this.exemptClients = (exemptions.any() ? "; clients exempt by configuration: " + exemptions : "")
                + (plans == null ? "" : "; rules per request from the " + plans
                        + " unless the application binds its own RulesResolver");
    }

    @Override
    public ResourceModel processResourceModel(ResourceModel resourceModel, Configuration configuration) {
        Listing listing = new Listing();
        Set<Class<?>> subResources = new HashSet<>();
        for (Resource resource : resourceModel.getRootResources()) {
            visit(resource, "", listing, new HashSet<>(), subResources);
        }
        listedSubResources.addAll(subResources);
        LOG.info("Rate limits of {}", listing.text());
        return resourceModel;
    }

    @Override
    public ResourceModel processSubResource(ResourceModel subResourceModel, Configuration configuration) {
        for (Resource resource : subResourceModel.getRootResources()) {
            Class<?> type = handlerClass(resource);
            if (type != null && !listedSubResources.contains(type)) {
                Listing listing = new Listing();
                Set<Class<?>> subResources = new HashSet<>();
                subResources.add(type);
                visit(resource, "...", listing, new HashSet<>(), subResources);
                listedSubResources.addAll(subResources);
                LOG.info("Rate limits of sub-resource {}, reached through a locator, of {}", type.getName(),
                        listing.text());
            }
        }
        return subResourceModel;
    }

    /** The resource class behind a resource's methods; null for a resource built in code only. */
    private static Class<?> handlerClass(Resource resource) {
        for (ResourceMethod method : resource.getAllMethods()) {
            if (!method.getInvocable().isInflector()) {
                return method.getInvocable().getHandler().getHandlerClass();
            }
        }
        for (Resource child : resource.getChildResources()) {
            Class<?> type = handlerClass(child);
            if (type != null) {
                return type;
            }
        }
        return null;
    }

    private void visit(Resource resource, String parentPath, Listing listing, Set<Class<?>> enclosing,
            Set<Class<?>> subResources) {
        String path = join(parentPath, resource.getPath());
        boolean ownOptions = false;
        Class<?> resourceClass = null;
        for (ResourceMethod method : resource.getResourceMethods()) {
            resourceMethod(method, path, listing);
            ownOptions |= HttpMethod.OPTIONS.equals(method.getHttpMethod());
            if (resourceClass == null && !method.getInvocable().isInflector()) {
                resourceClass = method.getInvocable().getHandler().getHandlerClass();
            }
        }
        if (countOptions && !ownOptions && resourceClass != null) {
            ResourceLimits.Limits automatic = limits.automaticOptions(resourceClass);
            listing.add(HttpMethod.OPTIONS, path, automatic.method() + " (Jersey's automatic answer)",
                    automatic.describe(current), null);
        }
        if (resource.getResourceLocator() != null) {
            locator(resource.getResourceLocator(), path, listing, enclosing, subResources);
        }
        for (Resource child : resource.getChildResources()) {
            visit(child, path, listing, enclosing, subResources);
        }
    }

    private void resourceMethod(ResourceMethod resourceMethod, String path, Listing listing) {
        Invocable invocable = resourceMethod.getInvocable();
        ResourceLimits.Limits found = limits.of(invocable.getHandler().getHandlerClass(),
                invocable.getHandlingMethod());
        if (HttpMethod.OPTIONS.equals(resourceMethod.getHttpMethod()) && !countOptions) {
            if (found.limited() && found.declaration().onMethod()) {
                throw new IllegalArgumentException("@RateLimited on " + found.declaration().declaredOn()
                        + " cannot apply: it is an OPTIONS method and ratelimit.count-options is false, so OPTIONS "
                        + "requests are not counted. Set ratelimit.count-options=true, or remove the annotation.");
            }
            listing.add(HttpMethod.OPTIONS, path, found.method(), "not counted (OPTIONS)", false);
            return;
        }
        listing.add(resourceMethod.getHttpMethod(), path, found.method(), found.describe(current),
                found.exempt() ? null : found.limited());
        if (found.exempt()) {
            listing.exempt++;
        }
    }

    private void locator(ResourceMethod locator, String path, Listing listing, Set<Class<?>> enclosing,
            Set<Class<?>> subResources) {
        Invocable invocable = locator.getInvocable();
        Class<?> resourceClass = invocable.getHandler().getHandlerClass();
        Method method = invocable.getHandlingMethod();
        ResourceLimits.Limits found = limits.of(resourceClass, method);
        Class<?> sub = invocable.getRawResponseType();
        boolean known = sub != null && sub != Object.class && sub != Class.class && !sub.isInterface()
                && !sub.isPrimitive() && !sub.isArray() && !Modifier.isAbstract(sub.getModifiers());
        if (found.exempt() && found.declaration().onMethod()) {
            throw new IllegalArgumentException("@RateLimitExempt on " + found.declaration().declaredOn()
                    + " cannot apply: it is a sub-resource locator (" + path + "), which no JAX-RS filter sees. Put it "
                    + "on " + (known ? "the sub-resource class " + sub.getName() : "the sub-resource's class")
                    + " or on its resource methods.");
        }
        if (found.limited()) {
            String where = known ? "the sub-resource class " + sub.getName() : "the sub-resource's class";
            String message = found.declaration().onMethod()
                    ? "@RateLimited on " + found.declaration().declaredOn() + " cannot apply: it is a sub-resource "
                    + "locator (" + path + "), which no JAX-RS filter sees. Put it on " + where
                    + " or on its resource methods."
                    : "@RateLimited on " + found.declaration().declaredOn() + " cannot apply to " + found.method()
                    + ": it is a sub-resource locator (" + path + "), which no JAX-RS filter sees. Put it on " + where
                    + " or on its resource methods, and on the resource methods of " + resourceClass.getName()
                    + " instead of the class.";
            throw new IllegalArgumentException(message);
        }
        listing.add("LOCATOR", path, found.method(), known ? "sub-resource " + sub.getName()
                : "sub-resource known when the locator runs (listed then)", null);
        if (known && enclosing.add(sub)) {
            subResources.add(sub);
            visit(Resource.from(sub, true), path, listing, enclosing, subResources);
            enclosing.remove(sub);
        }
    }

    private static String join(String parent, String path) {
        String trimmed = path == null ? "" : path.replaceAll("^/+|/+$", "");
        if (trimmed.isEmpty()) {
            return parent.isEmpty() ? "/" : parent;
        }
        return (parent.endsWith("/") ? parent : parent + "/") + trimmed;
    }

    /** The lines of the startup listing, aligned, in path order. */
    private final class Listing {
        private record Line(String httpMethod, String path, String method, String limits) {
        }

        private final List<Line> lines = new ArrayList<>();
        private int limited;
        private int unlimited;
        private int exempt;

        /** Adds a line; {@code limited} null for one that is no resource method (a locator, an automatic answer). */
        void add(String httpMethod, String path, String method, String limits, Boolean isLimited) {
            lines.add(new Line(httpMethod, path, method, limits));
            if (isLimited != null) {
                if (isLimited) {
                    limited++;
                } else {
                    unlimited++;
                }
            }
        }

        String text() {
            lines.sort(Comparator.comparing(Line::path));
            int pathWidth = 0;
            for (Line line : lines) {
                pathWidth = Math.max(pathWidth, line.path().length());
            }
            StringBuilder text = new StringBuilder(128 * (lines.size() + 1));
            text.append(limited + unlimited + exempt).append(" resource methods (").append(limited)
                    .append(" limited, ").append(unlimited).append(" unlimited")
                    .append(exempt == 0 ? "" : ", " + exempt + " exempt").append("; ")
                    .append(countOptions ? "OPTIONS requests are counted: ratelimit.count-options=true"
                            : "OPTIONS requests are not counted: ratelimit.count-options=false")
                    .append(exemptClients).append("):");
            for (Line line : lines) {
                text.append("\n  ").append(String.format("%-7s %-" + pathWidth + "s ", line.httpMethod(), line.path()))
                        .append(line.method()).append(": ").append(line.limits());
            }
            return text.append('\n').toString();
        }
    }
}
