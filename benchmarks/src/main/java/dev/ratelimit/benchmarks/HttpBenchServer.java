package dev.ratelimit.benchmarks;

import dev.ratelimit.core.RateLimited;
import dev.ratelimit.jaxrs.RateLimitFeature;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
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
 * from the cost of five more response headers); with a Redis URI it serves only {@code /redis/*}, an application with
 * the Redis limiter behind its fallback. Each has {@code /unlimited} (no annotation) and {@code /limited}
 * ({@code @RateLimited}, a limit never reached). The Redis application runs in a JVM of its own, as a production JVM
 * has one kind of limiter and the JIT compiles the shared request path for the kinds it has seen. Usage:
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
        } else {
            contexts.addHandler(context("/redis", redis, null));
        }
        server.setHandler(contexts);
        server.start();
        System.out.println("READY");
        server.join();
    }

    private static ServletContextHandler context(String path, String redisUrl, String headers) {
        ResourceConfig app = new ResourceConfig(Endpoints.class).register(RateLimitFeature.class);
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
