package com.acme.limits;

import com.acme.SearchResource;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.jaxrs.RateLimitFeature;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

public class TenantApi extends ResourceConfig {

    public TenantApi() {
        register(RateLimitFeature.class);
        register(SearchResource.class);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(new TenantRules()).to(RulesResolver.class);
            }
        });
    }
}
