package dev.ratelimit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A WAR, unchanged, in a stock servlet container in its own JVM: Apache Tomcat 10.1 or Eclipse Jetty 12 (ee10) as
 * unpacked from their distributions by the build ({@code -D<prefix>.tomcat.home}, {@code -D<prefix>.jetty.home}),
 * with a fresh base directory under {@code -D<prefix>.stock.dir} and the WAR copied to {@code webapps/ROOT.war}. The
 * WAR is configured only through the environment variables of the {@link Options} (none by default: no
 * {@code RATELIMIT_*} variable of the machine running the build reaches it). The container's output goes to
 * {@code <prefix.log.dir>/<container>-<n>.log}; startup failures fail the test with that output and the container's
 * own logs. The prefix is the module's: {@code example} in example-webapp, {@code docs} in examples/docs-check.
 *
 * <p>Both are started with {@code java} directly, as their scripts would, so nothing depends on the scripts being
 * executable after unpacking. Only the JDK is used (the readiness probe is {@link java.net.http}).
 */
public final class StockContainer implements AutoCloseable {

    /** The stock containers. */
    public enum Kind {
        /** Apache Tomcat 10.1: CATALINA_BASE with the distribution's {@code conf/}, only the ports changed. */
        TOMCAT("Server startup in"),
        /** Eclipse Jetty 12: JETTY_BASE made by {@code start.jar --add-modules=<the modules of the Options>}. */
        JETTY("Started oejs.Server@");

        /** The log line that says the container has deployed its webapps and listens. */
        public final String startedLine;

        Kind(String startedLine) {
            this.startedLine = startedLine;
        }

        String home(String prefix) {
            return requiredProperty(prefix + "." + name().toLowerCase(Locale.ROOT) + ".home");
        }
    }

    /**
     * How to start a container: the system-property prefix the build's directories are read from, the Jetty modules,
     * the environment variables and the readiness check. Immutable; {@link #properties} makes the defaults.
     *
     * @param prefix the system properties {@code <prefix>.tomcat.home}, {@code <prefix>.jetty.home},
     *     {@code <prefix>.stock.dir} (required) and {@code <prefix>.log.dir} (default {@code target})
     * @param jettyModules Jetty's base is made by {@code start.jar --add-modules=<jettyModules>}
     * @param environment exactly the {@code RATELIMIT_*} (and other) environment variables the container gets
     * @param healthPath the path polled until it answers 200, or null to wait only for {@link Kind#startedLine}
     */
    public record Options(String prefix, String jettyModules, Map<String, String> environment, String healthPath) {

        /** The Jetty modules by default: the ee10 deployer and HTTP. */
        public static final String DEFAULT_JETTY_MODULES = "ee10-deploy,http";

        /** Checks the arguments and copies the environment. */
        public Options {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(jettyModules, "jettyModules");
            environment = Map.copyOf(environment);
        }

        /**
         * The directories from the system properties {@code <prefix>.*}, Jetty with {@link #DEFAULT_JETTY_MODULES},
         * no environment variable, ready at {@link Kind#startedLine} (no request sent).
         *
         * @param prefix the system properties' prefix, e.g. {@code example}
         * @return the options
         */
        public static Options properties(String prefix) {
            return new Options(prefix, DEFAULT_JETTY_MODULES, Map.of(), null);
        }

        /**
         * These options with Jetty's base made by {@code start.jar --add-modules=<modules>}.
         *
         * @param modules the modules, comma-separated
         * @return the new options
         */
        public Options withJettyModules(String modules) {
            return new Options(prefix, modules, environment, healthPath);
        }

        /**
         * These options with exactly these environment variables for the container.
         *
         * @param variables the variables
         * @return the new options
         */
        public Options withEnvironment(Map<String, String> variables) {
            return new Options(prefix, jettyModules, variables, healthPath);
        }

        /**
         * These options ready once {@code GET <path>} answers 200; it fails early when the container has started
         * ({@link Kind#startedLine}) and the path still fails: the WAR did not deploy at {@code /}.
         *
         * @param path the path, e.g. {@code /health}
         * @return the new options
         */
        public Options awaitingHealth(String path) {
            return new Options(prefix, jettyModules, environment, Objects.requireNonNull(path, "path"));
        }
    }

    private static final long START_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(90);
    private static final int START_ATTEMPTS = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
     * the WAR as {@code webapps/ROOT.war} and starts the container on a free loopback port with exactly the
     * environment variables of {@code options}; returns once {@code GET <healthPath>} answers 200 or, without a
     * health path, once the container has deployed its webapps and listens ({@link Kind#startedLine}), without
     * sending a request (a probe would use up a permit).
     *
     * @param kind the container
     * @param war the WAR to deploy as {@code ROOT.war}
     * @param options the directories, Jetty modules, environment and readiness check
     * @return the running container
     * @throws IOException if the base cannot be made or the container cannot be started
     * @throws IllegalStateException if the container does not become ready (with its output and logs)
     */
    public static StockContainer start(Kind kind, Path war, Options options) throws IOException {
        Path home = Path.of(kind.home(options.prefix())).toAbsolutePath();
        if (!Files.isDirectory(home)) {
            throw new IllegalStateException(kind + " home " + home + " does not exist: the build unpacks it in "
                    + "pre-integration-test (run `mvn verify`)");
        }
        Path base = Path.of(requiredProperty(options.prefix() + ".stock.dir")).toAbsolutePath()
                .resolve(kind.name().toLowerCase(Locale.ROOT) + "-base");
        Path logDir = Path.of(System.getProperty(options.prefix() + ".log.dir", "target"));
        IllegalStateException portTaken = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            List<String> command = kind == Kind.TOMCAT ? tomcat(home, base, port)
                    : jetty(home, base, port, options.jettyModules(), logDir);
            Files.copy(war, base.resolve("webapps").resolve("ROOT.war"));
            try {
                return launch(kind, base, command, options, port, logDir);
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

    /**
     * A JETTY_BASE with these modules (by default the ee10 deployer and HTTP), as {@code start.jar --add-modules}
     * makes it.
     */
    private static List<String> jetty(Path home, Path base, int port, String modules, Path logDir)
            throws IOException {
        recreate(base);
        List<String> addModules = java();
        addModules.addAll(List.of("-Djetty.home=" + home, "-Djetty.base=" + base,
                "-jar", home.resolve("start.jar").toString(), "--add-modules=" + modules));
        Path addLog = logDir.resolve("jetty-add-modules.log");
        Files.createDirectories(logDir);
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

    private static StockContainer launch(Kind kind, Path base, List<String> command, Options options, int port,
            Path logDir) throws IOException {
        Path log;
        synchronized (StockContainer.class) {
            log = logDir.resolve(kind.name().toLowerCase(Locale.ROOT) + "-" + ++started + ".log");
        }
        Files.createDirectories(logDir);
        // straight into the log file: complete even after the process ended or this JVM died
        ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // only what the test sets: no settings of ours, no container settings of the machine running the build
        builder.environment().keySet().removeIf(name -> name.startsWith("RATELIMIT_")
                || name.startsWith("CATALINA_") || name.startsWith("JETTY_") || name.equals("JAVA_OPTS")
                || name.equals("JDK_JAVA_OPTIONS") || name.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(options.environment());
        Process process = builder.start();
        LIVE.add(process);
        StockContainer container = new StockContainer(kind, base, process, log, port);
        try {
            if (options.healthPath() != null) {
                container.awaitHealth(options.healthPath());
            } else {
                container.awaitStarted();
            }
            return container;
        } catch (RuntimeException | Error e) {
            container.close();
            throw e;
        }
    }

    /** Polls {@code GET <path>} until it answers 200; fails on early exit, a failed deployment or the deadline. */
    private void awaitHealth(String path) {
        long deadline = System.nanoTime() + START_DEADLINE_NANOS;
        while (true) {
            boolean startedBefore = output().contains(kind.startedLine);
            int status = -1;
            try {
                status = status(uri(path));
                if (status == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            String out = output();
            failIfPortTakenOrExited(out, "before serving " + path);
            if (startedBefore) {
                // the container had deployed its webapps and listened before this request, yet the path fails
                throw new IllegalStateException(kind + " started but GET " + path + " answered " + status
                        + ": the WAR did not deploy at /; its output (" + log + "):\n" + out + containerLogs());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(kind + " did not answer GET " + path + " with 200 within 90 s; its "
                        + "output (" + log + "):\n" + out + containerLogs());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    /**
     * Fails with {@link PortTakenException} when the container's output {@code out} says its port was taken, or when
     * it exited ({@code when}: "before it started", …), with its output (read again) and its own logs.
     */
    private void failIfPortTakenOrExited(String out, String when) {
        if (out.contains("Address already in use")) {
            throw new PortTakenException(kind + ": port " + port + " was taken; its output (" + log + "):\n"
                    + out);
        }
        if (!process.isAlive()) {
            throw new IllegalStateException(kind + " exited with " + process.exitValue()
                    + " " + when + "; its output (" + log + "):\n" + output() + containerLogs());
        }
    }

    /** The status of {@code GET uri} (10 s timeout). */
    private static int status(URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for {@link Kind#startedLine}; fails on early exit, a port taken or the deadline. */
    private void awaitStarted() {
        long deadline = System.nanoTime() + START_DEADLINE_NANOS;
        while (!output().contains(kind.startedLine)) {
            String out = output();
            failIfPortTakenOrExited(out, "before it started");
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(kind + " did not start within 90 s; its output (" + log + "):\n"
                        + out + containerLogs());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    /** {@code http://127.0.0.1:<port>} followed by {@code path}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Everything the container printed so far (stdout and stderr), from its log file. */
    public String output() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The container's own log files under {@code <base>/logs} (Tomcat's {@code catalina.<date>.log}, …). */
    public String containerLogs() {
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
    public boolean stop() {
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
    public boolean isAlive() {
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

    /**
     * The system property's value.
     *
     * @param property the property's name
     * @return its value
     * @throws IllegalStateException if it is not set (the build sets it for failsafe)
     */
    public static String requiredProperty(String property) {
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
