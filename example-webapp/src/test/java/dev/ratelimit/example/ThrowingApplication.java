package dev.ratelimit.example;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;

/**
 * The example's application plus a limited resource that throws an exception no mapper handles, for
 * {@link UnmappedExceptionIT}. Copied into a variant of the example WAR ({@link ExampleWars}); never part of the real
 * one.
 */
public class ThrowingApplication extends ExampleApplication {

    /** Called by Jersey's servlet with the webapp's context. */
    public ThrowingApplication(@Context ServletContext servletContext) {
        super(servletContext);
        register(Throwing.class);
    }

    /** Counted, then fails. */
    @Path("throwing")
    public static class Throwing {
        /** Always throws. */
        @GET
        @RateLimited(limit = 5, window = "1m", name = "throwing", algorithm = Algorithm.SLIDING_WINDOW_LOG)
        public String get() {
            throw new IllegalStateException("no ExceptionMapper handles this");
        }
    }
}
