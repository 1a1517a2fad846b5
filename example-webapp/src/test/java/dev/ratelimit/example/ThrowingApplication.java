package dev.ratelimit.example;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * The example's application plus a limited resource that throws an exception no mapper handles, for
 * {@link UnmappedExceptionIT}. Copied into a variant of the example WAR ({@link ExampleWars}); never part of the real
 * one.
 */
public class ThrowingApplication extends ExampleApplication {

    /** Registers the resources; Jersey's servlet instantiates it. */
    public ThrowingApplication() {
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
