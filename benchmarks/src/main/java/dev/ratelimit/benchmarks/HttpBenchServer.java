package dev.ratelimit.benchmarks;

import dev.ratelimit.core.RateLimited;
import dev.ratelimit.jaxrs.RateLimitFeature;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The HTTP benchmark's server: Jetty 12 + Jersey 3.1 serving the same tiny resource as one or more applications. With
 * no Redis given it serves {@code /memory/*}, an application with the in-memory limiter, and {@code /quiet/*}, the same
 * with {@code ratelimit.headers=NONE} (it counts but sends no rate-limit headers, which separates the limiter's cost
 * from the cost of five more response headers), and {@code /ietf/*}, the same with {@code ratelimit.headers=IETF} (two
 * headers); with a Redis URI it serves only {@code /redis/*}, an application with the Redis limiter behind its
 * fallback. Each has {@code /unlimited} (no annotation) and {@code /limited}
 * ({@code @RateLimited}, a limit never reached); the in-memory application also has {@code /floor}, the endpoint with a
 * request and response filter pair that does nothing but hand an object from one to the other (what any filter-based
 * limiter pays Jersey before it counts anything), and {@code /headers}, the floor plus five constant headers like
 * ours. The Redis application runs in a JVM of its own, as a production JVM has one kind of limiter and the JIT
 * compiles the shared request path for the kinds it has seen. Usage:
 * {@code HttpBenchServer <port> [<redis-uri>]};
 * prints {@code READY} when it serves.
 */
public final class HttpBenchServer {

    private HttpBenchServer() {
    }

    /** The endpoints. */
    @Path("/")
    public static final class Endpoints {

        /** No limit. */
        @GET
        @Path("unlimited")
        @Produces(MediaType.TEXT_PLAIN)
        public String unlimited() {
            return "ok";
        }

        /** A limit never reached: one billion per second, per client. */
        @GET
        @Path("limited")
        @Produces(MediaType.TEXT_PLAIN)
        @RateLimited(limit = 1_000_000_000, window = "1s", name = "bench")
        public String limited() {
            return "ok";
        }

        /** No limit, but a filter pair that does nothing ({@link NoOpFilter}). */
        @GET
        @Path("floor")
        @Produces(MediaType.TEXT_PLAIN)
        @Filtered
        public String floor() {
            return "ok";
        }

        /** No limit, but a filter pair that adds five constant headers ({@link ConstantHeadersFilter}). */
        @GET
        @Path("headers")
        @Produces(MediaType.TEXT_PLAIN)
        @WithHeaders
        public String headers() {
            return "ok";
        }
    }

    /** Binds {@link NoOpFilter} to a method. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    public @interface Filtered {
    }

    /** Binds {@link ConstantHeadersFilter} to a method. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    public @interface WithHeaders {
    }

    /**
     * A request and response filter pair that hands an object from the request to the response, as any filter-based
     * limiter does with its verdict, and fails the response if the request half did not run.
     */
    abstract static class HandOffFilter implements ContainerRequestFilter, ContainerResponseFilter {
        private final String property = getClass().getName();

        @Override
        public final void filter(ContainerRequestContext request) {
            request.setProperty(property, Boolean.TRUE);
        }

        @Override
        public final void filter(ContainerRequestContext request, ContainerResponseContext response) {
            if (request.getProperty(property) == null) {
                throw new IllegalStateException("the request filter did not run");
            }
            respond(response);
        }

        /** What the response half adds. */
        abstract void respond(ContainerResponseContext response);
    }

    /** The floor: the hand-off and nothing else. */
    @Filtered
    public static final class NoOpFilter extends HandOffFilter {
        @Override
        void respond(ContainerResponseContext response) {
        }
    }

    /**
     * The floor plus five response headers with the names and sizes of ours, constant and put the way our response
     * filter puts them: what sending them costs Jersey and Jetty, apart from deciding and formatting.
     */
    @WithHeaders
    public static final class ConstantHeadersFilter extends HandOffFilter {
        private static final String[][] HEADERS = {
            {"RateLimit-Policy", "\"bench\";q=1000000000;w=1"}, {"RateLimit", "\"bench\";r=999999999;t=1"},
            {"X-RateLimit-Limit", "1000000000"}, {"X-RateLimit-Remaining", "999999999"}, {"X-RateLimit-Reset", "1"}};

        @Override
        void respond(ContainerResponseContext response) {
            MultivaluedMap<String, Object> headers = response.getHeaders();
            for (String[] header : HEADERS) {
                List<Object> value = new ArrayList<>(1);
                value.add(header[1]);
                headers.put(header[0], value);
            }
        }
    }

    /** Starts the server and blocks. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String redis = args.length > 1 ? args[1] : null;
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        if (redis == null) {
            contexts.addHandler(context("/memory", null, null));
            contexts.addHandler(context("/quiet", null, "NONE"));
            contexts.addHandler(context("/ietf", null, "IETF"));
        } else {
            contexts.addHandler(context("/redis", redis, null));
        }
        server.setHandler(contexts);
        server.start();
        System.out.println("READY");
        server.join();
    }

    private static ServletContextHandler context(String path, String redisUrl, String headers) {
        ResourceConfig app = new ResourceConfig(Endpoints.class, NoOpFilter.class, ConstantHeadersFilter.class).register(RateLimitFeature.class);
        if (redisUrl != null) {
            app.property("ratelimit.redis.url", redisUrl);
        }
        if (headers != null) {
            app.property("ratelimit.headers", headers);
        }
        ServletContextHandler context = new ServletContextHandler(path);
        context.addServlet(new ServletHolder(new ServletContainer(app)), "/*");
        return context;
    }
}
