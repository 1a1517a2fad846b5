package com.acme;

import dev.ratelimit.core.RateLimitExempt;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

@Path("orders")
@RateLimited(limit = 100, window = "1m", name = "orders")
public class OrderResource {

    @GET
    public String list() {                            // orders: 100 per minute, from the class
        return "[]";
    }

    @GET
    @Path("health")
    @RateLimitExempt                                  // never limited
    public String health() {
        return "UP";
    }
}
