package dev.ratelimit.jaxrs;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.Path;

/** OPTIONS requests to limited resources: Jersey's automatic answers and a resource's own {@code @OPTIONS}. */
final class OptionsResources {

    private OptionsResources() {
    }

    /**
     * Class-limited under default names (one counter per method); {@code opt} has Jersey's automatic OPTIONS answer,
     * {@code opt/own} an OPTIONS method of its own.
     */
    @Path("opt")
    @RateLimited(limit = 2, window = "1m", algorithm = Algorithm.FIXED_WINDOW)
    public static class ClassLimited {
        @GET
        public String get() {
            return "get";
        }

        @OPTIONS
        @Path("own")
        public String own() {
            return "own options";
        }

        @GET
        @Path("own")
        public String getOwn() {
            return "get own";
        }
    }

    /** Only a method-level limit: Jersey's automatic OPTIONS answer has none (no class-level limit). */
    @Path("opt-method")
    public static class MethodLimited {
        @GET
        @RateLimited(limit = 2, window = "1m", name = "opt-method", algorithm = Algorithm.FIXED_WINDOW)
        public String get() {
            return "get";
        }
    }

    /** A limit on an OPTIONS method itself. */
    @Path("opt-limited")
    public static class LimitedOptionsMethod {
        @OPTIONS
        @RateLimited(limit = 2, window = "1m", name = "opt-limited", algorithm = Algorithm.FIXED_WINDOW)
        public String options() {
            return "options";
        }
    }
}
