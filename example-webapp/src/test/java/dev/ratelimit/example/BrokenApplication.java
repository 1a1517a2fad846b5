package dev.ratelimit.example;

import dev.ratelimit.core.RateLimited;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;

/**
 * The example's application plus one resource with an invalid limit, for {@link DeploymentFailureIT}: it must not
 * start, in any container. Copied into a variant of the example WAR ({@link ExampleWars}); never part of the real one.
 */
public class BrokenApplication extends ExampleApplication {

    /** Called by Jersey's servlet with the webapp's context. */
    public BrokenApplication(@Context ServletContext servletContext) {
        super(servletContext);
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
