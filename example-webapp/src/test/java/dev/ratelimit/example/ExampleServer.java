package dev.ratelimit.example;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Serves the example WAR with Jetty 12 (ee10), the way a stock Jetty would: {@code mvn -Prun-example -DskipTests
 * package} runs it, and the end-to-end tests start it in separate JVMs ({@link ExampleProcess}). Its classpath holds
 * Jetty and nothing of ours: the WAR brings Jersey and the library in {@code WEB-INF/lib}, and reads its settings
 * from system properties and environment variables ({@code ratelimit.redis.url} / {@code RATELIMIT_REDIS_URL}, …).
 *
 * <p>System properties: {@code example.war} (required), {@code example.port} (default 8080, 0 for any free port).
 */
public final class ExampleServer {

    /** The line printed once Jetty listens; {@link ExampleProcess} reads the port from it. */
    static final String READY = "ratelimit example running on ";

    private ExampleServer() {
    }

    /** Runs the example until the JVM is stopped (Ctrl+C or SIGTERM stop Jetty gracefully). */
    public static void main(String[] args) throws Exception {
        String war = System.getProperty("example.war");
        if (war == null || !Files.isRegularFile(Path.of(war))) {
            throw new IllegalStateException("no WAR at " + war + ": build it with `mvn package` first");
        }
        int port = Integer.parseInt(System.getProperty("example.port", "8080"));

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setWar(war);
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        server.setStopAtShutdown(true);
        server.start();

        String base = "http://localhost:" + connector.getLocalPort();
        System.out.println();
        System.out.println(READY + base + "  (Ctrl+C to stop)");
        System.out.println("  open    " + base + "/                  a page that fires requests and plots them");
        System.out.println("  curl -i " + base + "/api/algorithms/token-bucket");
        System.out.println("  curl -i -u alice:alice-secret " + base + "/api/me");
        System.out.println("  curl -i " + base + "/legacy/hello");
        System.out.println("  curl    " + base + "/health");
        System.out.println("Redis: RATELIMIT_REDIS_URL=redis://host:port (or -Dratelimit.redis.url=…); "
                + "in-memory limiter without it.");
        System.out.flush();
        server.join();
    }
}
