package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import java.util.function.Supplier;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

/** Applications for the OPTIONS tests (issue 17, item 7). */
final class OptionsApplications {

    private OptionsApplications() {
    }

    /**
     * The resources with the feature and the test's limiter, read when the application starts (JerseyTest calls
     * {@code configure()} from its constructor, before the test's fields are set).
     */
    static ResourceConfig application(Supplier<InMemoryRateLimiter> limiter, Class<?>... resources) {
        return new ResourceConfig(resources)
                .register(RateLimitFeature.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter.get()).to(RateLimiter.class);
                    }
                });
    }
}
