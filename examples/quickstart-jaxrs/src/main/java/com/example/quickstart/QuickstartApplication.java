package com.example.quickstart;

import dev.ratelimit.jaxrs.RateLimitFeature;
import jakarta.ws.rs.ApplicationPath;
import org.glassfish.jersey.server.ResourceConfig;

@ApplicationPath("/api")
public class QuickstartApplication extends ResourceConfig {

    public QuickstartApplication() {
        register(RateLimitFeature.class);
        register(HelloResource.class);
    }
}
