package com.acme;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

@Path("search")
public class SearchResource {

    @GET
    @RateLimited(limit = 10, window = "1s", name = "search-per-second")                // both apply
    @RateLimited(limit = 1000, window = "1h", name = "search-per-hour", algorithm = Algorithm.SLIDING_WINDOW_COUNTER)
    public String search(@QueryParam("q") String q) {
        return "results for " + q;
    }
}
