package com.acme;

import dev.ratelimit.jaxrs.RateLimitFeature;
import jakarta.ws.rs.ApplicationPath;
import org.glassfish.jersey.server.ResourceConfig;

@ApplicationPath("/api")                       // found by the container: Jetty needs its ee10-annotations module
public class Api extends ResourceConfig {

    public Api() {
        register(RateLimitFeature.class);
        register(SearchResource.class);
        register(OrderResource.class);
    }
}
