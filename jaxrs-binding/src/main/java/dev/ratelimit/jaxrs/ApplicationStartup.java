package dev.ratelimit.jaxrs;

import dev.ratelimit.internal.http.RequestDecider;
import dev.ratelimit.internal.config.LiveOverrides;
import dev.ratelimit.internal.config.RateLimitSettings;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.jersey.internal.inject.InjectionManager;
import org.glassfish.jersey.server.spi.Container;
import org.glassfish.jersey.server.spi.ContainerLifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts rate limiting with the application when it has limited methods: creates the limiter then (so the log line
 * saying which store decides appears at startup, not at the first request), and fails the application when it has
 * no way to tell anonymous clients apart: the container offers no peer address (no servlet request, no Grizzly
 * request) and the application binds no {@link PeerAddress}. Without that check such a deployment would count every
 * client without a principal or key against one shared key, which one client could exhaust for everyone.
 */
final class ApplicationStartup implements ContainerLifecycleListener {

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationStartup.class);

    private final InjectionManager services;
    private final LiveOverrides live;
    private final AtomicInteger limited = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile String firstLimited;

    ApplicationStartup(InjectionManager services, LiveOverrides live) {
        this.services = services;
        this.live = live;
    }

    /** Called by the dynamic feature for each resource method it limits. */
    void limited(String where) {
        if (limited.getAndIncrement() == 0) {
            firstLimited = where;
        }
    }

    @Override
    public void onStartup(Container container) {
        if (container != null && container.getConfiguration().isRegistered(RateLimitAdminResource.class)) {
            RateLimitSettings settings = services.getInstance(RateLimitSettings.class);
            if (settings.adminRole() == null) {
                throw new IllegalStateException("The rate-limit admin endpoint (" + RateLimitAdminResource.class
                        .getName() + ") is registered, but " + RateLimitSettings.ADMIN_ROLE + " names no role: "
                        + "without one it would let anybody reset and block clients. Set the role its callers must "
                        + "have (docs/operating.md), or do not register it");
            }
            LOG.info("Rate-limit admin endpoint at admin/ratelimit, for the role '{}'", settings.adminRole());
        }
        int methods = limited.get();
        if (methods == 0) {
            return;
        }
        PeerAddress peerAddress = services.getInstance(PeerAddress.class);
        String containerName = container == null ? "this container" : container.getClass().getName();
        if (!(peerAddress instanceof ContainerPeerAddress)) {
            LOG.info("Rate limiting on {}: client addresses come from the application's PeerAddress {}",
                    containerName, peerAddress);
        } else if (((ContainerPeerAddress) peerAddress).source() == ContainerPeerAddress.Source.NONE) {
            throw noPeerAddress(containerName, methods);
        } else {
            LOG.debug("Rate limiting on {}: client addresses come from {}", containerName,
                    ((ContainerPeerAddress) peerAddress).source());
        }
        services.getInstance(RequestDecider.class); // creates the limiter now, with its log line
    }

    private IllegalStateException noPeerAddress(String containerName, int methods) {
        return new IllegalStateException("Rate limiting cannot tell clients apart on " + containerName
                + ": it is no servlet container and no Jersey Grizzly HTTP server, so the binding finds no client "
                + "address, and the application binds no " + PeerAddress.class.getName() + ". Every anonymous "
                + "request to the " + methods + " limited method(s) (" + firstLimited + (methods > 1 ? ", …" : "")
                + ") would share one counter. Bind a PeerAddress that returns the socket peer's IP address in an HK2 "
                + "binder (see docs/jaxrs.md, \"Containers\").");
    }

    @Override
    public void onReload(Container container) {
        // the bindings and the container stay the same
    }

    @Override
    public void onShutdown(Container container) {
        if (released.compareAndSet(false, true)) {
            live.release(); // the limiter is released by its factory
        }
    }
}
