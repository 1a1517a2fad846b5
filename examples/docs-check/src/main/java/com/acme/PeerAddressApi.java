package com.acme;

import dev.ratelimit.jaxrs.PeerAddress;
import dev.ratelimit.jaxrs.RateLimitFeature;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

public class PeerAddressApi extends ResourceConfig {

    public PeerAddressApi() {
        register(RateLimitFeature.class);
        register(SearchResource.class);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                // e.g. a property your container adapter or a pre-matching filter sets from the connection
                bind((PeerAddress) request -> (String) request.getProperty("my.peer-address")).to(PeerAddress.class);
            }
        });
    }
}
