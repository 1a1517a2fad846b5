package dev.ratelimit.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * A real {@code redis-server} process on a free loopback port, for tests. No mocks: every Redis test talks to one
 * of these.
 *
 * <p>The binary is found, in order: the system property {@code ratelimit.test.redis=embedded} forces the Redis 6.2
 * binary shipped in the test-scoped {@code com.github.codemonstur:embedded-redis} jar; else the environment variable
 * {@code REDIS_SERVER} (path of a {@code redis-server} binary); else {@code redis-server} on the {@code PATH}; else
 * that embedded binary (Linux x86_64 and aarch64). When none is usable, {@link #start()} throws
 * {@link IllegalStateException}: a test never silently skips for want of a Redis.
 *
 * <p>{@link #shared()} is one server per JVM for tests that just need a Redis. Tests that kill, pause or restart
 * Redis use their own instance from {@link #start()} and close it.
 */
public final class RedisServer implements AutoCloseable {

    /** System property that, set to {@value #EMBEDDED}, forces the embedded binary. */
    public static final String BINARY_PROPERTY = "ratelimit.test.redis";
    /** Value of {@link #BINARY_PROPERTY} that forces the embedded binary. */
    public static final String EMBEDDED = "embedded";
    /** Environment variable holding the path of a {@code redis-server} binary. */
    public static final String BINARY_ENV = "REDIS_SERVER";

    static final String HOST = "127.0.0.1";
    /** The log line of a data node that accepts connections. */
    static final String READY = "Ready to accept connections";
    private static final Pattern VERSION = Pattern.compile("\\bversion=(\\d+(?:\\.\\d+)+)");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PORT_RETRY_BUDGET = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 5;
    private static final int LOG_LINES = 200;

    /** Every process started by this class and not yet stopped; killed when the JVM exits. */
    private static final Set<RedisServer> LIVE = ConcurrentHashMap.newKeySet();
    private static Path embeddedBinary;
    private static RedisServer shared;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(RedisServer::killAllOnExit, "redis-server-shutdown"));
    }

    private final Path binary;
    private final Launch launch;
    private final int port;
    private final boolean isShared;
    private volatile ServerProcess current;
    private volatile boolean paused;

    private RedisServer(Path binary, Launch launch, int port, boolean isShared, ServerProcess first) {
        this.binary = binary;
        this.launch = launch;
        this.port = port;
        this.isShared = isShared;
        this.current = first;
    }

    /**
     * Starts a new {@code redis-server} on a free loopback port and waits until it accepts connections.
     *
     * @return the running server; close it when done
     * @throws IllegalStateException when no binary is found or the server does not become ready (with its log tail)
     */
    public static RedisServer start() {
        return start(findBinary(), Launch.PLAIN, false);
    }

    /**
     * Starts a server launched the given way (cluster node, sentinel) from the usual binary; the topology harnesses
     * ({@link RedisCluster}, {@link RedisSentinelSet}) use this.
     */
    static RedisServer start(Launch launch) {
        return start(findBinary(), launch, false);
    }

    /**
     * Starts a new server from an explicit binary, bypassing the lookup (for tests of the lookup itself).
     *
     * @param binary path of a {@code redis-server} executable, e.g. {@link #embeddedBinary()}
     */
    static RedisServer start(Path binary) {
        return start(binary, Launch.PLAIN, false);
    }

    /**
     * The server shared by every test of this JVM that just needs a Redis: started on first use, stopped when the
     * JVM exits. It must not be killed, paused or restarted ({@link IllegalStateException}); {@link #close()} on it
     * does nothing. Tests share its data: use distinct keys or {@link #flushAll()}.
     */
    public static synchronized RedisServer shared() {
        if (shared == null) {
            shared = start(findBinary(), Launch.PLAIN, true);
        }
        return shared;
    }

    private static RedisServer start(Path binary, Launch launch, boolean isShared) {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            ServerProcess process;
            try {
                process = ServerProcess.launch(binary, launch, port);
            } catch (PortInUseException e) {
                // another process took the port between our probe and redis-server's bind: pick another one
                last = e;
                continue;
            }
            RedisServer server = new RedisServer(binary, launch, port, isShared, process);
            LIVE.add(server);
            return server;
        }
        throw new IllegalStateException("redis-server could not bind a free port in " + START_ATTEMPTS + " attempts",
                last);
    }

    /** The port this server listens on; stays the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** The address this server listens on: {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** {@code host:port}, as seed nodes and sentinels are configured. */
    public String address() {
        return host() + ":" + port();
    }

    /** This server as a Jedis address. */
    public HostAndPort hostAndPort() {
        return new HostAndPort(host(), port());
    }

    /** The URL of this server, {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    /** The binary this server runs. */
    public Path binary() {
        return binary;
    }

    /**
     * The server's version, e.g. {@code 7.0.15}, from its startup log line, else from {@code INFO server}.
     */
    public String version() {
        String fromLog = current.version;
        if (fromLog != null) {
            return fromLog;
        }
        try (RedisClient client = client()) {
            Matcher m = Pattern.compile("redis_version:(\\S+)").matcher(client.info("server"));
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new IllegalStateException("cannot tell the version of redis-server on port " + port + "\n" + logTail());
    }

    /** The operating-system process id of the current server process. */
    public long pid() {
        return current.process.pid();
    }

    /** Whether the current server process is alive (a paused process is alive). */
    public boolean isRunning() {
        return current.process.isAlive();
    }

    /** Whether {@link #pause()} was called without a matching {@link #resume()} since the last (re)start. */
    public boolean isPaused() {
        return paused && isRunning();
    }

    /** The last lines (up to 200) the current server process printed, for failure messages. */
    public String logTail() {
        return current.tail();
    }

    /** Kills the server with SIGKILL, as a crash would, and waits for the process to exit. */
    public void kill() {
        refuseOnShared("kill");
        current.kill();
        paused = false;
        LIVE.remove(this);
    }

    /** Freezes the server with SIGSTOP: connections stay open (and new ones are accepted) but nothing answers. */
    public void pause() {
        refuseOnShared("pause");
        signal("STOP");
        paused = true;
    }

    /** Lets a {@link #pause() paused} server run again with SIGCONT. */
    public void resume() {
        refuseOnShared("resume");
        signal("CONT");
        paused = false;
    }

    /**
     * Kills the server if it runs (paused or not), then starts a fresh process, with an empty dataset, on the same
     * port and waits until it accepts connections. Retries briefly while the port is still held.
     */
    public void restart() {
        refuseOnShared("restart");
        if (isRunning()) {
            current.kill();
        }
        paused = false;
        long deadline = System.nanoTime() + PORT_RETRY_BUDGET.toNanos();
        long backOff = TimeUnit.MILLISECONDS.toNanos(50);
        while (true) {
            try {
                current = ServerProcess.launch(binary, launch, port);
                LIVE.add(this);
                return;
            } catch (PortInUseException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("port " + port + " stayed in use for " + PORT_RETRY_BUDGET
                            + " after the previous redis-server was killed", e);
                }
                LockSupport.parkNanos(backOff);
                backOff = Math.min(backOff * 2, TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }

    /** A new Jedis client for this server with a 2 s connection and socket timeout; the caller closes it. */
    public RedisClient client() {
        return client(Duration.ofSeconds(2));
    }

    /** A new Jedis client for this server with the given connection and socket timeout; the caller closes it. */
    public RedisClient client(Duration timeout) {
        return RedisClient.builder()
                .hostAndPort(HOST, port)
                .clientConfig(DefaultJedisClientConfig.builder().timeoutMillis(Math.toIntExact(timeout.toMillis()))
                        .build())
                .build();
    }

    /** Deletes every key of every database ({@code FLUSHALL}). */
    public void flushAll() {
        try (RedisClient client = client()) {
            client.flushAll();
        }
    }

    /** Stops the server: resumes it if paused, then kills it. Does nothing on the {@link #shared()} server. */
    @Override
    public void close() {
        if (isShared) {
            return;
        }
        stop();
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + ", pid " + current.process.pid() + ", " + binary + "]";
    }

    private void stop() {
        if (isRunning()) {
            if (paused) {
                try {
                    signal("CONT");
                } catch (IllegalStateException e) {
                    // the process is killed right after: a failed SIGCONT does not matter
                }
            }
            current.kill();
        }
        paused = false;
        LIVE.remove(this);
    }

    private void refuseOnShared(String action) {
        if (isShared) {
            throw new IllegalStateException("cannot " + action + " the shared Redis server: use RedisServer.start() "
                    + "for a server of your own");
        }
    }

    private void signal(String name) {
        if (!isRunning()) {
            throw new IllegalStateException("cannot send SIG" + name + ": redis-server on port " + port
                    + " is not running\n" + logTail());
        }
        // through sh's built-in kill: /bin/kill (procps) is not on every minimal image
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", "kill -" + name + " " + pid())
                .redirectErrorStream(true);
        try {
            Process kill = builder.start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + name + " " + pid() + " did not finish");
            }
            if (kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed (exit " + kill.exitValue()
                        + "): " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + name, e);
        }
    }

    private static void killAllOnExit() {
        for (RedisServer server : LIVE) {
            try {
                server.stop();
            } catch (RuntimeException e) {
                // best effort at JVM exit
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- binary

    /**
     * The {@code redis-server} binary the tests use: forced embedded by {@code -Dratelimit.test.redis=embedded},
     * else {@code $REDIS_SERVER}, else the {@code PATH}, else the embedded one.
     *
     * @throws IllegalStateException when none is usable
     */
    static Path findBinary() {
        return findBinary(System.getProperty(BINARY_PROPERTY), System.getenv(BINARY_ENV), System.getenv("PATH"));
    }

    /** {@link #findBinary()} with the system property, {@code REDIS_SERVER} and {@code PATH} values given. */
    static Path findBinary(String propertyValue, String env, String pathVariable) {
        String property = propertyValue == null ? "" : propertyValue.strip();
        if (EMBEDDED.equalsIgnoreCase(property)) {
            return embeddedBinary();
        }
        if (!property.isEmpty()) {
            throw new IllegalStateException("-D" + BINARY_PROPERTY + "=" + property + " is not understood: the only "
                    + "value is '" + EMBEDDED + "' (to choose a binary, set the environment variable " + BINARY_ENV
                    + ")");
        }
        if (env != null && !env.isBlank()) {
            Path path = Path.of(env.strip()).toAbsolutePath();
            if (!isExecutableFile(path)) {
                throw new IllegalStateException(BINARY_ENV + "=" + env + " is not an executable file");
            }
            return path;
        }
        Path onPath = findOnPath("redis-server", pathVariable);
        if (onPath != null) {
            return onPath;
        }
        String embeddedResource = embeddedResourceName();
        if (embeddedResource == null) {
            throw new IllegalStateException("No redis-server for the tests: none in $" + BINARY_ENV
                    + ", none on the PATH, and the embedded Redis 6.2 binary exists only for Linux x86_64 and aarch64 "
                    + "(this is " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "). "
                    + "Install Redis (e.g. apt-get install redis-server, brew install redis) or set " + BINARY_ENV
                    + " to a redis-server binary.");
        }
        return embeddedBinary();
    }

    /**
     * The Redis 6.2 binary shipped in the test-scoped {@code com.github.codemonstur:embedded-redis} jar, extracted
     * once per JVM to a temporary executable file deleted at exit.
     *
     * @throws IllegalStateException when not on Linux x86_64/aarch64 or the resource is not on the classpath
     */
    static synchronized Path embeddedBinary() {
        if (embeddedBinary != null) {
            return embeddedBinary;
        }
        String resource = embeddedResourceName();
        if (resource == null) {
            throw new IllegalStateException("The embedded Redis binary exists only for Linux x86_64 and aarch64, not "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "; set " + BINARY_ENV
                    + " or put redis-server on the PATH");
        }
        try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + resource + " not on the classpath: is the test "
                        + "dependency com.github.codemonstur:embedded-redis missing?");
            }
            Path file = Files.createTempFile("ratelimit-" + resource + "-", "");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            if (!file.toFile().setExecutable(true, true)) {
                throw new IllegalStateException("cannot make " + file + " executable");
            }
            embeddedBinary = file;
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource, e);
        }
    }

    /** The embedded binary's resource name for this platform, or null when there is none. */
    static String embeddedResourceName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            return null;
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "redis-server-6.2.6-v5-linux-amd64";
            case "aarch64":
            case "arm64":
                return "redis-server-6.2.7-linux-arm64";
            default:
                return null;
        }
    }

    private static Path findOnPath(String name, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir).resolve(name).toAbsolutePath();
                if (isExecutableFile(candidate)) {
                    return candidate;
                }
            } catch (java.nio.file.InvalidPathException e) {
                // an unusable PATH entry: skip it
            }
        }
        return null;
    }

    private static boolean isExecutableFile(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    // ---------------------------------------------------------------------------------------------------- process

    /**
     * How a process is launched: arguments before the standard ones (e.g. a config file and {@code --sentinel}) and
     * after them (e.g. cluster options), the log line that says it is ready, and its working directory. A restart
     * launches the same way, so a cluster node finds its {@code nodes.conf} again.
     */
    record Launch(List<String> before, List<String> after, String readyLine, Path directory) {
        /** A plain standalone server in the temporary directory. */
        static final Launch PLAIN = new Launch(List.of(), List.of(), READY,
                Path.of(System.getProperty("java.io.tmpdir")));

        Launch {
            before = List.copyOf(before);
            after = List.copyOf(after);
        }
    }

    /** Thrown when redis-server exits at startup because its port is taken. */
    private static final class PortInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String message) {
            super(message);
        }
    }

    /** One redis-server process and the thread draining its output. */
    private static final class ServerProcess {
        final Process process;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final ArrayDeque<String> log = new ArrayDeque<>();
        final String readyLine;
        volatile String version;

        private ServerProcess(Process process, String readyLine) {
            this.process = process;
            this.readyLine = readyLine;
        }

        static ServerProcess launch(Path binary, Launch launch, int port) {
            List<String> command = new ArrayList<>();
            command.add(binary.toString());
            command.addAll(launch.before());
            command.addAll(List.of(
                    "--port", Integer.toString(port),
                    "--bind", HOST,
                    "--save", "",
                    "--appendonly", "no",
                    "--protected-mode", "no",
                    "--daemonize", "no",
                    "--loglevel", "notice"));
            command.addAll(launch.after());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(launch.directory().toFile())
                    .redirectErrorStream(true);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
            }
            ServerProcess server = new ServerProcess(process, launch.readyLine());
            Thread drain = new Thread(server::drain, "redis-server-" + port + "-log");
            drain.setDaemon(true);
            drain.start();
            server.awaitReady(binary, port);
            return server;
        }

        private void drain() {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (log) {
                        log.addLast(line);
                        if (log.size() > LOG_LINES) {
                            log.removeFirst();
                        }
                    }
                    if (version == null) {
                        Matcher m = VERSION.matcher(line);
                        if (m.find()) {
                            version = m.group(1);
                        }
                    }
                    if (line.contains(readyLine)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the stream closes when the process dies
            } finally {
                ready.completeExceptionally(new IllegalStateException("redis-server exited"));
            }
        }

        private void awaitReady(Path binary, int port) {
            try {
                ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                waitForExit();
                String tail = tail();
                String message = binary + " on port " + port + " exited before accepting connections"
                        + exitCode() + "; last output:\n" + tail;
                if (tail.contains("Address already in use")) {
                    throw new PortInUseException(message);
                }
                throw new IllegalStateException(message);
            } catch (TimeoutException e) {
                kill();
                throw new IllegalStateException(binary + " on port " + port + " was not ready within "
                        + READY_TIMEOUT + "; last output:\n" + tail());
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis-server", e);
            }
        }

        private String exitCode() {
            return process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
        }

        void kill() {
            process.destroyForcibly();
            waitForExit();
            if (process.isAlive()) {
                throw new IllegalStateException("redis-server pid " + process.pid() + " did not die within "
                        + EXIT_TIMEOUT);
            }
        }

        private void waitForExit() {
            try {
                process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String tail() {
            synchronized (log) {
                return log.isEmpty() ? "(no output)" : String.join("\n", log);
            }
        }
    }
}
