package dev.ratelimit.jaxrs;

import dev.ratelimit.internal.config.ApplicationLimiter;
import dev.ratelimit.internal.config.LiveOverrides;
import dev.ratelimit.internal.config.RateLimitSettings;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.util.function.Function;
import org.glassfish.jersey.InjectionManagerProvider;
import org.glassfish.jersey.internal.inject.InjectionManager;

/**
 * Enforces {@link dev.ratelimit.core.RateLimited} in a Jersey application: {@code register(RateLimitFeature.class)}.
 *
 * <p>Settings ({@code ratelimit.redis.url}, {@code ratelimit.trusted-proxies}, …; see {@code docs/configuration.md})
 * come from system properties, environment variables, then the application's properties (servlet init-params of
 * the Jersey servlet, or {@code ResourceConfig#property}), then the webapp's context-params. Register the feature
 * by class so Jersey injects the servlet context. In a servlet container the limiter is the web application's one,
 * shared with its rate-limit servlet filters (the servlet context attribute {@code dev.ratelimit.core.RateLimiter}),
 * created at startup by whichever binding starts first. The limiter, the metrics, the {@code KeyResolver} for
 * {@code KeySource.CUSTOM}, the {@code RulesResolver} (default: the plan table of {@code ratelimit.plans.*}, if any)
 * and the {@link PeerAddress} are HK2 services with defaults: an application binds its own
 * {@link dev.ratelimit.core.RateLimiter}, {@link dev.ratelimit.metrics.RateLimitMetrics},
 * {@link dev.ratelimit.http.KeyResolver}, {@link dev.ratelimit.http.RulesResolver} or {@link PeerAddress} in an HK2
 * {@code org.glassfish.hk2.utilities.binding.AbstractBinder} and it replaces ours.
 *
 * <p>The client address comes from the servlet request in servlet containers and from Grizzly's request on Jersey's
 * Grizzly HTTP server; on any other container the application binds a {@link PeerAddress}, or the application fails
 * at startup (when it has limited methods) rather than count every anonymous client against one key.
 */
public final class RateLimitFeature implements Feature {

    /** The webapp's context, injected by Jersey in servlet containers: its context-params are settings too. */
    @Context
    private ServletContext servletContext;

    @Override
    public boolean configure(FeatureContext context) {
        Configuration config = context.getConfiguration();
        if (config.isRegistered(RateLimitDynamicFeature.class)) {
            return false;
        }
        RateLimitSettings settings = RateLimitSettings.load(name -> {
            Object value = config.getProperty(name);
            if (value == null && servletContext != null) {
                value = servletContext.getInitParameter(name);
            }
            return value == null ? null : value.toString();
        });
        InjectionManager services = InjectionManagerProvider.getInjectionManager(context);
        ServletContext app = servletContext;
        ApplicationLimiter.Attributes attributes = app == null
                ? ApplicationLimiter.Attributes.privateTo("the JAX-RS application")
                : ApplicationLimiter.Attributes.ofServletContext(app::getAttribute, app::setAttribute,
                        app::removeAttribute, app.getContextPath());
        // the run-time overrides (the rules file), shared with the servlet filters; released when the application stops
        LiveOverrides live = LiveOverrides.acquire(attributes, settings);
        ApplicationStartup check = new ApplicationStartup(services, live);
        ResourceLimits limits = new ResourceLimits(settings.overrides()::apply);
        ServletResponseHeaders servletResponse = new ServletResponseHeaders(services);
        boolean countOptions = settings.countOptions();
        Function<ResourceLimits.Limits, LimitedMethodFilter> filter =
                found -> new LimitedMethodFilter(found, services, countOptions, servletResponse, settings.plans(),
                        live);
        context.register(new RateLimitBinder(settings, new ContainerPeerAddress(services), attributes, live));
        context.register(new RateLimitModelProcessor(limits, countOptions, settings.exemptions(),
                settings.plans(), live::preview));
        context.register(new RateLimitDynamicFeature(limits, filter, check));
        if (countOptions) {
            context.register(new AutomaticOptionsFilter(limits, filter));
        }
        context.register(check);
        return true;
    }
}
