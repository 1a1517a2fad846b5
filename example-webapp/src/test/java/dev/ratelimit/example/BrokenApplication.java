package dev.ratelimit.example;

import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * The example's application plus one resource with an invalid limit, for {@link DeploymentFailureIT}: it must not
 * start, in any container. Copied into a variant of the example WAR ({@link ExampleWars}); never part of the real one.
 */
public class BrokenApplication extends ExampleApplication {

    /** Registers the resources; Jersey's servlet instantiates it. */
    public BrokenApplication() {
        register(Broken.class);
    }

    /** A window that is no duration. */
    @Path("broken")
    public static class Broken {
        /** Never served. */
        @GET
        @RateLimited(limit = 5, window = "soon")
        public String get() {
            return "never";
        }
    }
}
