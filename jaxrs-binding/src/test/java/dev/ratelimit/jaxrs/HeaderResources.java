package dev.ratelimit.jaxrs;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Responses with caching directives of their own, and failures with and without an exception mapper. */
final class HeaderResources {

    private HeaderResources() {
    }

    /** Thrown by {@link Limited#mapped()} and answered by {@link Mapper}. */
    public static class MappedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MappedException() {
            super("mapped");
        }
    }

    /** Answers {@link MappedException} with 409. */
    public static class Mapper implements ExceptionMapper<MappedException> {
        @Override
        public Response toResponse(MappedException exception) {
            return Response.status(409).entity("mapped").build();
        }
    }

    @Path("headers")
    @RateLimited(limit = 5, window = "1m", name = "headers", algorithm = Algorithm.FIXED_WINDOW)
    public static class Limited {
        @GET
        @Path("plain")
        public String plain() {
            return "plain";
        }

        @GET
        @Path("no-store")
        public Response noStore() {
            CacheControl noStore = new CacheControl();
            noStore.setNoStore(true);
            noStore.setNoTransform(false);
            return Response.ok("no-store").cacheControl(noStore).build();
        }

        @GET
        @Path("public")
        public Response shared() {
            return Response.ok("public").header("Cache-Control", "public, max-age=60").build();
        }

        @GET
        @Path("boom")
        public String boom() {
            throw new IllegalStateException("no mapper for this");
        }

        @GET
        @Path("mapped")
        public String mapped() {
            throw new MappedException();
        }
    }
}
