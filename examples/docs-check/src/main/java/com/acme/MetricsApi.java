package com.acme;

import dev.ratelimit.jaxrs.RateLimitFeature;
import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.metrics.RateLimitMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

public class MetricsApi extends ResourceConfig {

    public MetricsApi(MeterRegistry prometheusRegistry) {
        register(RateLimitFeature.class);
        register(SearchResource.class);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(MicrometerMetrics.of(prometheusRegistry)).to(RateLimitMetrics.class);
            }
        });
    }
}
