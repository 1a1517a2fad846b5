package dev.ratelimit.jaxrs;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.atomic.AtomicInteger;

/** Resources for the binding tests (the binding contract's catalogue is {@link ContractResources}). */
final class TestResources {

    /** Counts how often a resource method really ran. */
    static final AtomicInteger INVOCATIONS = new AtomicInteger();

    private TestResources() {
    }

    @Path("alg")
    public static class Algorithms {
        @GET
        @Path("fixed")
        @RateLimited(limit = 3, window = "10s", algorithm = Algorithm.FIXED_WINDOW, name = "fixed")
        public String fixed() {
            INVOCATIONS.incrementAndGet();
            return "ok";
        }

        @GET
        @Path("log")
        @RateLimited(limit = 3, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_LOG, name = "log")
        public String log() {
            INVOCATIONS.incrementAndGet();
            return "ok";
        }

        @GET
        @Path("counter")
        @RateLimited(limit = 3, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_COUNTER, name = "counter")
        public String counter() {
            INVOCATIONS.incrementAndGet();
            return "ok";
        }

        @GET
        @Path("bucket")
        @RateLimited(limit = 3, window = "10s", algorithm = Algorithm.TOKEN_BUCKET, name = "bucket")
        public String bucket() {
            INVOCATIONS.incrementAndGet();
            return "ok";
        }

        @GET
        @Path("gcra")
        @RateLimited(limit = 3, window = "10s", algorithm = Algorithm.GCRA, name = "gcra")
        public String gcra() {
            INVOCATIONS.incrementAndGet();
            return "ok";
        }
    }

    @Path("misc")
    public static class Misc {
        @GET
        @Path("multi")
        @RateLimited(limit = 2, window = "1s", name = "per-second", algorithm = Algorithm.FIXED_WINDOW)
        @RateLimited(limit = 4, window = "10s", name = "per-ten", algorithm = Algorithm.FIXED_WINDOW)
        public String multi() {
            return "ok";
        }

        @GET
        @Path("shared-a")
        @RateLimited(limit = 3, window = "1m", name = "shared", algorithm = Algorithm.FIXED_WINDOW)
        public String sharedA() {
            return "a";
        }

        @GET
        @Path("shared-b")
        @RateLimited(limit = 3, window = "1m", name = "shared", algorithm = Algorithm.FIXED_WINDOW)
        public String sharedB() {
            return "b";
        }

        @GET
        @Path("cost")
        @RateLimited(limit = 5, window = "1m", name = "cost", cost = 2, algorithm = Algorithm.FIXED_WINDOW)
        public String cost() {
            return "ok";
        }

        @GET
        @Path("header")
        @RateLimited(limit = 2, window = "1m", name = "api-key", key = KeySource.HEADER, keyHeader = "X-Api-Key",
                algorithm = Algorithm.FIXED_WINDOW)
        public String header() {
            return "ok";
        }

        @GET
        @Path("ip")
        @RateLimited(limit = 2, window = "1m", name = "by-ip", key = KeySource.IP, algorithm = Algorithm.FIXED_WINDOW)
        public String ip() {
            return "ok";
        }

        @GET
        @Path("user")
        @RateLimited(limit = 2, window = "1m", name = "by-user", algorithm = Algorithm.FIXED_WINDOW)
        public String user() {
            return "ok";
        }

        @GET
        @Path("custom")
        @RateLimited(limit = 2, window = "1m", name = "by-tenant", key = KeySource.CUSTOM,
                algorithm = Algorithm.FIXED_WINDOW)
        public String custom() {
            return "ok";
        }

        @GET
        @Path("default-name")
        @RateLimited(limit = 1, window = "1m")
        public String defaultName() {
            return "ok";
        }

        @GET
        @Path("unlimited")
        public String unlimited() {
            return "free";
        }

        /** Sets rate-limit headers of its own (stale ones, say from a proxied upstream) and a header of its own. */
        @GET
        @Path("own-headers")
        @RateLimited(limit = 5, window = "1m", name = "own", algorithm = Algorithm.FIXED_WINDOW)
        public Response ownHeaders() {
            return Response.ok("ok").header("RateLimit", "\"upstream\";r=0;t=1").header("x-ratelimit-limit", "1")
                    .header("X-Upstream", "kept").build();
        }
    }

    /** Every method is limited by the class annotation unless it carries its own. */
    @Path("class")
    @RateLimited(limit = 1, window = "1m", name = "class-level", algorithm = Algorithm.FIXED_WINDOW)
    public static class ClassLimited {
        @GET
        @Path("inherits")
        public String inherits() {
            return "ok";
        }

        @GET
        @Path("own")
        @RateLimited(limit = 3, window = "1m", name = "method-level", algorithm = Algorithm.FIXED_WINDOW)
        public String own() {
            return "ok";
        }
    }

    @Path("bad")
    public static class BadWindow {
        @GET
        @RateLimited(limit = 5, window = "soon")
        public String get() {
            return "never";
        }
    }

    @Path("bad-header")
    public static class BadHeaderKey {
        @GET
        @RateLimited(limit = 5, window = "1m", key = KeySource.HEADER)
        public String get() {
            return "never";
        }
    }

    @Path("cost-above-limit")
    public static class CostAboveLimit {
        @GET
        @RateLimited(limit = 5, window = "1m", cost = 6)
        public String get() {
            return "never";
        }
    }
}
