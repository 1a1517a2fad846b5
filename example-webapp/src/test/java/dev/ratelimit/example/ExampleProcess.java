package dev.ratelimit.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The example WAR in Jetty in its own JVM, as a deployment would run it: only Jetty on the server's classpath, the
 * library and Jersey inside the WAR, settings as system properties. Its output goes to
 * {@code target/example-<n>.log}; startup failures fail the test with that log.
 */
final class ExampleProcess implements AutoCloseable {

    private static final Path LOG_DIR = Path.of(System.getProperty("example.log.dir", "target"));
    private static int started;

    private final Process process;
    private final int port;
    private final Path log;
    private final Output output;

    private ExampleProcess(Process process, int port, Path log, Output output) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.output = output;
    }

    /** Starts Jetty with the WAR on a free port and the given system properties; returns once it serves requests. */
    static ExampleProcess start(Map<String, String> systemProperties) throws IOException {
        return start(systemProperties, Map.of());
    }

    /** Like {@link #start(Map)}, with these environment variables set for the example's JVM. */
    static ExampleProcess start(Map<String, String> systemProperties, Map<String, String> environment)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(required("example.server.classpath"));
        command.add("-Dexample.war=" + required("example.war"));
        command.add("-Dexample.port=0");
        systemProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add(ExampleServer.class.getName());

        Path log;
        synchronized (ExampleProcess.class) {
            log = LOG_DIR.resolve("example-" + ++started + ".log");
        }
        Files.createDirectories(LOG_DIR);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("RATELIMIT_")); // only what the test sets
        builder.environment().putAll(environment);
        Process process = builder.start();

        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Output lines = new Output();
        Thread pump = new Thread(() -> copyOutput(process, log, ready, lines), "example-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            return new ExampleProcess(process, ready.get(90, TimeUnit.SECONDS), log, lines);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the example did not start; its output (" + log + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies the process output to the log and to {@code lines}, and completes {@code ready} with the port from the
     * ready line.
     */
    private static void copyOutput(Process process, Path log, CompletableFuture<Integer> ready, Output lines) {
        try (BufferedReader out = new BufferedReader(
                     new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line; (line = out.readLine()) != null; ) {
                file.write(line);
                file.write('\n');
                file.flush();
                lines.add(line);
                int at = line.indexOf(ExampleServer.READY + "http://localhost:");
                if (at >= 0) {
                    String rest = line.substring(at + ExampleServer.READY.length() + "http://localhost:".length());
                    ready.complete(Integer.parseInt(rest.split("\\D", 2)[0]));
                }
            }
            ready.completeExceptionally(new IllegalStateException("exited with " + process.waitFor()));
        } catch (IOException e) {
            ready.completeExceptionally(new UncheckedIOException(e));
        } catch (InterruptedException e) {
            ready.completeExceptionally(e);
            Thread.currentThread().interrupt();
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("-D" + property + " is not set (the build sets it for failsafe)");
        }
        return value;
    }

    /**
     * Waits until the process has written a line that {@code wanted} accepts (one written before counts too): for
     * something the example does on its own, such as re-reading its rules file. Woken by each new line, never polling.
     *
     * @return the line
     * @throws AssertionError when no such line comes within {@code patience}
     */
    String awaitOutput(Predicate<String> wanted, Duration patience, String what) {
        return output.await(wanted, patience, what);
    }

    /** {@return the process's output so far, line by line} */
    List<String> output() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    /** {@code http://localhost:<port>} followed by {@code path}. */
    URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** Stops Jetty gracefully (SIGTERM: the webapp is undeployed, the limiter closed), forcibly after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The output lines as they arrive, for {@link #awaitOutput}; a waiter is woken by each new line. */
    private static final class Output {
        private final List<String> lines = new ArrayList<>();

        synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        synchronized String await(Predicate<String> wanted, Duration patience, String what) {
            long deadline = System.nanoTime() + patience.toNanos();
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (wanted.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no output line within " + patience + ": " + what);
                }
                try {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }
}
