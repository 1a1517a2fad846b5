package dev.ratelimit.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A quick start's WAR, unchanged, in a stock servlet container in its own JVM: Apache Tomcat 10.1 or Eclipse Jetty 12
 * (ee10) as unpacked from their distributions by the build ({@code -Ddocs.tomcat.home}, {@code -Ddocs.jetty.home}),
 * with a fresh base directory under {@code -Ddocs.stock.dir} and the WAR copied to {@code webapps/ROOT.war}, no
 * {@code RATELIMIT_*} variable set. The container's output goes to {@code <docs.log.dir>/<container>-<n>.log};
 * startup failures fail the test with that output and the container's own logs. (A copy of example-webapp's
 * {@code StockContainer}, with the Jetty modules as a parameter and a readiness path of the caller's.)
 *
 * <p>Both are started with {@code java} directly, as their scripts would, so nothing depends on the scripts being
 * executable after unpacking.
 */
final class StockContainer implements AutoCloseable {

    /** The stock containers. */
    enum Kind {
        /** Apache Tomcat 10.1: CATALINA_BASE with the distribution's {@code conf/}, only the ports changed. */
        TOMCAT("Server startup in"),
        /** Eclipse Jetty 12: JETTY_BASE made by {@code start.jar --add-modules=<the modules given>}. */
        JETTY("Started oejs.Server@");

        /** The log line that says the container has deployed its webapps and listens. */
        final String startedLine;

        Kind(String startedLine) {
            this.startedLine = startedLine;
        }

        String home() {
            return required("docs." + name().toLowerCase(Locale.ROOT) + ".home");
        }
    }

    private static final Path LOG_DIR = Path.of(System.getProperty("docs.log.dir", "target"));
    private static final long START_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(90);
    private static final int START_ATTEMPTS = 3;
    private static int started;
    /** Containers not yet stopped; killed when this JVM exits, so an aborted test run leaves no container behind. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "stock-containers-shutdown"));
    }

    private final Kind kind;
    private final Path base;
    private final Process process;
    private final Path log;
    private final int port;

    private StockContainer(Kind kind, Path base, Process process, Path log, int port) {
        this.kind = kind;
        this.base = base;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Makes a fresh base for the container (for Jetty with {@code start.jar --add-modules=<jettyModules>}), deploys
     * the WAR as {@code webapps/ROOT.war} and starts the container on a free loopback port with no
     * {@code RATELIMIT_*} variable; returns once the container has deployed its webapps and listens
     * ({@link Kind#startedLine}), without sending a request (a probe would use up a permit).
     */
    static StockContainer start(Kind kind, Path war, String jettyModules) throws IOException {
        Path home = Path.of(kind.home()).toAbsolutePath();
        if (!Files.isDirectory(home)) {
            throw new IllegalStateException(kind + " home " + home + " does not exist: the build unpacks it in "
                    + "pre-integration-test (run `mvn verify`)");
        }
        Path base = Path.of(required("docs.stock.dir")).toAbsolutePath()
                .resolve(kind.name().toLowerCase(Locale.ROOT) + "-base");
        IllegalStateException portTaken = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            List<String> command = kind == Kind.TOMCAT ? tomcat(home, base, port)
                    : jetty(home, base, port, jettyModules);
            Files.copy(war, base.resolve("webapps").resolve("ROOT.war"));
            try {
                return launch(kind, base, command, port);
            } catch (PortTakenException e) {
                portTaken = e; // another process took the free port before the container bound it: try another one
            }
        }
        throw portTaken;
    }

    /** A CATALINA_BASE with the distribution's configuration, the HTTP port set and the shutdown port disabled. */
    private static List<String> tomcat(Path home, Path base, int port) throws IOException {
        recreate(base);
        copyTree(home.resolve("conf"), base.resolve("conf"));
        for (String dir : List.of("webapps", "logs", "temp", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        Path serverXml = base.resolve("conf").resolve("server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        xml = replaceOnce(xml, "<Server port=\"8005\"", "<Server port=\"-1\"");
        xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        Files.writeString(serverXml, xml, StandardCharsets.UTF_8);

        // what bin/catalina.sh run executes
        List<String> command = java();
        command.addAll(List.of(
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                "-Djava.util.logging.config.file=" + base.resolve("conf").resolve("logging.properties"),
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-Djdk.tls.ephemeralDHKeySize=2048",
                "-Djava.protocol.handler.pkgs=org.apache.catalina.webresources",
                "-Dorg.apache.catalina.security.SecurityListener.UMASK=0027",
                "-classpath", home.resolve("bin").resolve("bootstrap.jar") + java.io.File.pathSeparator
                        + home.resolve("bin").resolve("tomcat-juli.jar"),
                "-Dcatalina.base=" + base,
                "-Dcatalina.home=" + home,
                "-Djava.io.tmpdir=" + base.resolve("temp"),
                "org.apache.catalina.startup.Bootstrap", "start"));
        return command;
    }

    /** A JETTY_BASE with the ee10 deployer and HTTP, as {@code start.jar --add-modules} makes it. */
    private static List<String> jetty(Path home, Path base, int port, String modules) throws IOException {
        recreate(base);
        List<String> addModules = java();
        addModules.addAll(List.of("-Djetty.home=" + home, "-Djetty.base=" + base,
                "-jar", home.resolve("start.jar").toString(), "--add-modules=" + modules));
        Path addLog = LOG_DIR.resolve("jetty-add-modules.log");
        Files.createDirectories(LOG_DIR);
        Process add = new ProcessBuilder(addModules).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(addLog.toFile()).start();
        try {
            if (!add.waitFor(60, TimeUnit.SECONDS) || add.exitValue() != 0) {
                add.destroyForcibly();
                throw new IllegalStateException("start.jar --add-modules=" + modules + " failed:\n"
                        + Files.readString(addLog, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            add.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Files.createDirectories(base.resolve("webapps"));
        Files.createDirectories(base.resolve("work")); // Jetty unpacks the WAR here instead of java.io.tmpdir

        List<String> command = java();
        command.addAll(List.of("-Djetty.home=" + home, "-Djetty.base=" + base,
                "-jar", home.resolve("start.jar").toString(),
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
        return command;
    }

    private static StockContainer launch(Kind kind, Path base, List<String> command, int port) throws IOException {
        Path log;
        synchronized (StockContainer.class) {
            log = LOG_DIR.resolve(kind.name().toLowerCase(Locale.ROOT) + "-" + ++started + ".log");
        }
        Files.createDirectories(LOG_DIR);
        // straight into the log file: complete even after the process ended or this JVM died
        ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // only what the test sets: no settings of ours, no container settings of the machine running the build
        builder.environment().keySet().removeIf(name -> name.startsWith("RATELIMIT_")
                || name.startsWith("CATALINA_") || name.startsWith("JETTY_") || name.equals("JAVA_OPTS")
                || name.equals("JDK_JAVA_OPTIONS") || name.equals("JAVA_TOOL_OPTIONS"));
        Process process = builder.start();
        LIVE.add(process);
        StockContainer container = new StockContainer(kind, base, process, log, port);
        try {
            container.awaitStarted();
            return container;
        } catch (RuntimeException | Error e) {
            container.close();
            throw e;
        }
    }

    /** Waits for {@link Kind#startedLine}; fails on early exit, a port taken or the deadline. */
    private void awaitStarted() {
        long deadline = System.nanoTime() + START_DEADLINE_NANOS;
        while (!output().contains(kind.startedLine)) {
            String out = output();
            if (out.contains("Address already in use")) {
                throw new PortTakenException(kind + ": port " + port + " was taken; its output (" + log + "):\n"
                        + out);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(kind + " exited with " + process.exitValue()
                        + " before it started; its output (" + log + "):\n" + out + containerLogs());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(kind + " did not start within 90 s; its output (" + log + "):\n"
                        + out + containerLogs());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    /** {@code http://127.0.0.1:<port>} followed by {@code path}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Everything the container printed so far (stdout and stderr), from its log file. */
    String output() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The container's own log files under {@code <base>/logs} (Tomcat's {@code catalina.<date>.log}, …). */
    String containerLogs() {
        Path logs = base.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(logs, "*.log")) {
            for (Path file : files) {
                all.append("\n--- ").append(file).append('\n')
                        .append(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            all.append("\n(cannot read ").append(logs).append(": ").append(e).append(')');
        }
        return all.toString();
    }

    /**
     * Stops the container gracefully (SIGTERM: its shutdown hook undeploys the webapp), forcibly after 30 s.
     *
     * @return whether the process exited on SIGTERM alone
     */
    boolean stop() {
        process.destroy();
        boolean graceful;
        try {
            graceful = process.waitFor(30, TimeUnit.SECONDS);
            if (!graceful) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (!process.isAlive()) {
                LIVE.remove(process);
            }
        }
        return graceful;
    }

    /** Whether the container's process is still running. */
    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    @Override
    public String toString() {
        return kind + "[" + uri("/") + ", pid " + process.pid() + ", log " + log + "]";
    }

    private static List<String> java() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        return command;
    }

    private static String replaceOnce(String text, String target, String replacement) {
        int at = text.indexOf(target);
        if (at < 0 || text.indexOf(target, at + 1) >= 0) {
            throw new IllegalStateException("expected exactly one '" + target + "' in the stock server.xml");
        }
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }

    private static void recreate(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path path : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(dir);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("-D" + property + " is not set (the build sets it for failsafe)");
        }
        return value;
    }

    /** The container could not bind the port chosen for it. */
    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
