package com.acme;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.jaxrs.RateLimitFeature;
import dev.ratelimit.memory.InMemoryRateLimiter;
import jakarta.ws.rs.ApplicationPath;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

@ApplicationPath("/api")
public class TenantApi extends ResourceConfig {

    public TenantApi() {
        RateLimiter myLimiter = InMemoryRateLimiter.ofDefaults();   // any RateLimiter of yours (you close it)
        register(RateLimitFeature.class);
        register(SearchResource.class);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(myLimiter).to(RateLimiter.class);                       // replaces ours
                bind((KeyResolver) r -> r.headerValues("X-Tenant").stream().findFirst().orElse(null))
                        .to(KeyResolver.class);
            }
        });
    }
}
