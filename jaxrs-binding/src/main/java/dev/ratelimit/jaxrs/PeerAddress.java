package dev.ratelimit.jaxrs;

import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * Where the binding reads a request's socket peer address: the client IP of rules keyed by IP (and of every rule
 * whose own key is missing), before {@code ratelimit.trusted-proxies} resolves forwarding headers. JAX-RS itself
 * has no such API, so it comes from the container.
 *
 * <p>The binding brings one that reads the servlet request in servlet containers (Jetty, Tomcat, Payara, Jersey's
 * Grizzly servlet container) and Grizzly's own request on Jersey's Grizzly HTTP server, found at run time without a
 * dependency on either. On any other container (the JDK HTTP server, Netty, a Jersey {@code ApplicationHandler}
 * called directly) the application binds its own in an HK2 binder, and it replaces ours:
 *
 * <pre>{@code
 * register(new AbstractBinder() {     // org.glassfish.hk2.utilities.binding.AbstractBinder
 *     @Override protected void configure() {
 *         bind((PeerAddress) request -> (String) request.getProperty("my.peer-address")).to(PeerAddress.class);
 *     }
 * });
 * }</pre>
 *
 * <p>Without one, a container that offers no peer address fails the application at startup with a message naming
 * this interface: the limiter never counts every anonymous client against one shared key.
 */
@FunctionalInterface
public interface PeerAddress {

    /**
     * The socket peer's address of a request. Must be thread-safe and fast: it runs on every limited request whose
     * key needs the client IP.
     *
     * @param request the request being limited
     * @return the peer's IP literal, e.g. {@code 203.0.113.7} or {@code 2001:db8::1} (brackets and a port are
     *         accepted and dropped); null when this request has none, which fails the request rather than count it
     *         against a key shared with other clients
     */
    String resolve(ContainerRequestContext request);
}
