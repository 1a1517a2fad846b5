package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.metrics.RateLimitMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/** An application binds its own {@link RateLimitMetrics}; every decision of the binding is counted there. */
class MetricsBindingTest {

    @Test
    void decisionsAreCountedInTheApplicationsRegistry() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ApplicationHandler app = new ApplicationHandler(new ResourceConfig(TestResources.Algorithms.class)
                .register(RateLimitFeature.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(MicrometerMetrics.of(registry)).to(RateLimitMetrics.class);
                        // called directly, the application has no container to give a client address
                        bind((PeerAddress) request -> "203.0.113.1").to(PeerAddress.class);
                    }
                }));
        try {
            int[] statuses = new int[5];
            for (int i = 0; i < statuses.length; i++) {
                ContainerRequest request = new ContainerRequest(URI.create("http://localhost/"),
                        URI.create("http://localhost/alg/gcra"), "GET", null, new org.glassfish.jersey.internal.MapPropertiesDelegate(), app.getConfiguration());
                ContainerResponse response = app.apply(request).get();
                statuses[i] = response.getStatus();
            }
            assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
            assertThat(count(registry, "allowed")).isEqualTo(3);
            assertThat(count(registry, "denied")).isEqualTo(2);
        } finally {
            app.onShutdown(null);
        }
    }

    private static double count(SimpleMeterRegistry registry, String outcome) {
        Counter counter = registry.find("ratelimit.decisions")
                .tags("limit", "gcra", "outcome", outcome, "store", "memory").counter();
        return counter == null ? 0 : counter.count();
    }
}
