package dev.ratelimit.client;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * Our own server: one limited method per algorithm and shape (5 per 10 s, 3 per 2 s), each client counted by its
 * {@code X-Client} header so that every try of a property starts afresh.
 */
@Path("alg")
public class AlgorithmResources {

    /** The key header. */
    static final String CLIENT = "X-Client";

    /** @return ok */
    @GET @Path("FIXED_WINDOW/5-10s")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.FIXED_WINDOW, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "fw-5-10s")
    public String fixed5() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("FIXED_WINDOW/3-2s")
    @RateLimited(limit = 3, window = "2s", algorithm = Algorithm.FIXED_WINDOW, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "fw-3-2s")
    public String fixed3() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("SLIDING_WINDOW_LOG/5-10s")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_LOG, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "swl-5-10s")
    public String log5() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("SLIDING_WINDOW_LOG/3-2s")
    @RateLimited(limit = 3, window = "2s", algorithm = Algorithm.SLIDING_WINDOW_LOG, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "swl-3-2s")
    public String log3() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("SLIDING_WINDOW_COUNTER/5-10s")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_COUNTER, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "swc-5-10s")
    public String counter5() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("SLIDING_WINDOW_COUNTER/3-2s")
    @RateLimited(limit = 3, window = "2s", algorithm = Algorithm.SLIDING_WINDOW_COUNTER, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "swc-3-2s")
    public String counter3() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("TOKEN_BUCKET/5-10s")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.TOKEN_BUCKET, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "tb-5-10s")
    public String bucket5() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("TOKEN_BUCKET/3-2s")
    @RateLimited(limit = 3, window = "2s", algorithm = Algorithm.TOKEN_BUCKET, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "tb-3-2s")
    public String bucket3() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("GCRA/5-10s")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.GCRA, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "gcra-5-10s")
    public String gcra5() {
        return "ok";
    }

    /** @return ok */
    @GET @Path("GCRA/3-2s")
    @RateLimited(limit = 3, window = "2s", algorithm = Algorithm.GCRA, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "gcra-3-2s")
    public String gcra3() {
        return "ok";
    }

    /** @return ok, under two limits */
    @GET @Path("two")
    @RateLimited(limit = 5, window = "10s", key = KeySource.HEADER, keyHeader = CLIENT, name = "per-10s")
    @RateLimited(limit = 100, window = "1h", key = KeySource.HEADER, keyHeader = CLIENT, name = "per-hour")
    public String two() {
        return "ok";
    }

    /** @param body ignored @return ok */
    @POST @Path("TOKEN_BUCKET/5-10s")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.TOKEN_BUCKET, key = KeySource.HEADER,
            keyHeader = CLIENT, name = "tb-5-10s")
    public String postBucket5(String body) {
        return "ok";
    }
}
