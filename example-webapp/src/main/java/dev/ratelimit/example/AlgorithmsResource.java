package dev.ratelimit.example;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** One endpoint per algorithm, each 5 requests per 10 s per client (principal, else IP). */
@Path("algorithms")
@Produces(MediaType.APPLICATION_JSON)
public class AlgorithmsResource {

    @GET
    @Path("fixed-window")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.FIXED_WINDOW, name = "fixed-window")
    public String fixedWindow() {
        return ok("fixed-window");
    }

    @GET
    @Path("sliding-window-log")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_LOG, name = "sliding-window-log")
    public String slidingWindowLog() {
        return ok("sliding-window-log");
    }

    @GET
    @Path("sliding-window-counter")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_COUNTER,
            name = "sliding-window-counter")
    public String slidingWindowCounter() {
        return ok("sliding-window-counter");
    }

    @GET
    @Path("token-bucket")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.TOKEN_BUCKET, name = "token-bucket")
    public String tokenBucket() {
        return ok("token-bucket");
    }

    @GET
    @Path("gcra")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.GCRA, name = "gcra")
    public String gcra() {
        return ok("gcra");
    }

    static String ok(String endpoint) {
        return "{\"endpoint\":\"" + endpoint + "\",\"ok\":true}";
    }
}
