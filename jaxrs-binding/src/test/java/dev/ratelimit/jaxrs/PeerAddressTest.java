package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.net.URI;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.internal.MapPropertiesDelegate;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.spi.Container;
import org.junit.jupiter.api.Test;

/**
 * Outside a servlet container and Jersey's Grizzly HTTP server (issue 16, defect 9): the application supplies the
 * client address with a {@link PeerAddress} it binds, a container that offers none fails the application at
 * startup, and a request that still has no address fails instead of sharing one {@code ip:unknown} counter.
 */
class PeerAddressTest {

    /** A Jersey container of a kind the binding does not know (as the JDK HTTP server or Netty are to it). */
    private static final class UnknownContainer implements Container {
        private final ApplicationHandler app;

        UnknownContainer(ApplicationHandler app) {
            this.app = app;
        }

        @Override
        public ResourceConfig getConfiguration() {
            return app.getConfiguration();
        }

        @Override
        public ApplicationHandler getApplicationHandler() {
            return app;
        }

        @Override
        public void reload() {
        }

        @Override
        public void reload(ResourceConfig configuration) {
        }
    }

    /** An unlimited resource. */
    @Path("free")
    public static class Free {
        @GET
        public String get() {
            return "ok";
        }
    }

    private static int status(ApplicationHandler app, String path, String header, String value) throws Exception {
        ContainerRequest request = new ContainerRequest(URI.create("http://localhost/"),
                URI.create("http://localhost/" + path), "GET", null, new MapPropertiesDelegate(),
                app.getConfiguration());
        if (header != null) {
            request.header(header, value);
        }
        return app.apply(request).get().getStatus();
    }

    private static int status(ApplicationHandler app, String path, String peer) throws Exception {
        return status(app, path, peer == null ? null : "X-Test-Peer", peer);
    }

    private static ResourceConfig limited() {
        return new ResourceConfig(TestResources.Misc.class).register(RateLimitFeature.class);
    }

    @Test
    void aBoundPeerAddressKeysEveryClientApart() throws Exception {
        ApplicationHandler app = new ApplicationHandler(limited().register(new AbstractBinder() {
            @Override
            protected void configure() {
                // in a real deployment: what the container knows of the socket, e.g. a property set by its adapter
                bind((PeerAddress) request -> request.getHeaderString("X-Test-Peer")).to(PeerAddress.class);
            }
        }));
        try {
            app.onStartup(new UnknownContainer(app)); // no failure: the application supplies the address
            assertThat(status(app, "misc/ip", "203.0.113.1")).isEqualTo(200);
            assertThat(status(app, "misc/ip", "203.0.113.1")).isEqualTo(200);
            assertThat(status(app, "misc/ip", "203.0.113.1")).isEqualTo(429);
            assertThat(status(app, "misc/ip", "203.0.113.2")).as("another client").isEqualTo(200);
            assertThat(status(app, "misc/ip", "[2001:db8::5]:4711")).as("brackets and port dropped").isEqualTo(200);
        } finally {
            app.onShutdown(null);
        }
    }

    @Test
    void aContainerWithoutPeerAddressesFailsAtStartup() {
        ApplicationHandler app = new ApplicationHandler(limited());
        try {
            assertThatThrownBy(() -> app.onStartup(new UnknownContainer(app)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(UnknownContainer.class.getName())
                    .hasMessageContaining("dev.ratelimit.jaxrs.PeerAddress")
                    .hasMessageContaining("dev.ratelimit.jaxrs.TestResources$Misc#");
        } finally {
            app.onShutdown(null);
        }
    }

    @Test
    void anApplicationWithoutLimitedMethodsStartsAnywhere() throws Exception {
        ApplicationHandler app = new ApplicationHandler(new ResourceConfig(Free.class).register(RateLimitFeature.class));
        try {
            app.onStartup(new UnknownContainer(app));
            assertThat(status(app, "free", null)).isEqualTo(200);
        } finally {
            app.onShutdown(null);
        }
    }

    @Test
    void aRequestWithoutAnAddressFailsInsteadOfSharingOneCounter() throws Exception {
        // an ApplicationHandler called directly, with no container to start it and no PeerAddress: no address
        ApplicationHandler app = new ApplicationHandler(limited());
        try {
            for (int i = 0; i < 4; i++) {
                // a container would answer 500; called directly, Jersey hands the exception to the caller
                assertThatThrownBy(() -> status(app, "misc/ip", null)).as("request %d", i)
                        .hasRootCauseInstanceOf(IllegalStateException.class)
                        .hasStackTraceContaining("PeerAddress");
            }
            // a request whose own key needs no address is limited as usual
            assertThat(status(app, "misc/header", "X-Api-Key", "k-1")).isEqualTo(200);
            assertThat(status(app, "misc/header", "X-Api-Key", "k-1")).isEqualTo(200);
            assertThat(status(app, "misc/header", "X-Api-Key", "k-1")).isEqualTo(429);
        } finally {
            app.onShutdown(null);
        }
    }
}
