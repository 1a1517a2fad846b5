package dev.ratelimit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real Redis Sentinel deployment for tests: one master, one replica and three sentinels ({@code redis-server
 * <conf> --sentinel}, quorum 2) on free loopback ports, with the same binary as {@link RedisServer}. The data nodes
 * require {@link #dataPassword()} and the sentinels their own {@link #sentinelPassword()}, so clients must use
 * both. Sentinels consider the master down after 1 s; a failover takes a few seconds. Waiting is bounded polling.
 */
public final class RedisSentinelSet implements AutoCloseable {

    /** The name the sentinels monitor the master under. */
    public static final String MASTER_NAME = "ratelimit-master";

    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(30);
    private static final String DATA_PASSWORD = "data-s3cret";
    private static final String SENTINEL_PASSWORD = "sentinel-s3cret";

    private static RedisSentinelSet shared;

    private final Path directory;
    private final List<RedisServer> dataNodes = new ArrayList<>();
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisSentinelSet(Path directory) {
        this.directory = directory;
    }

    /**
     * Starts the master, its replica (waiting until it is in sync), then the sentinels, and waits until every
     * sentinel knows the replica and the two other sentinels (so a failover can be agreed).
     */
    public static RedisSentinelSet start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("ratelimit-sentinel-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the sentinels", e);
        }
        RedisSentinelSet set = new RedisSentinelSet(directory);
        try {
            set.startAll();
            return set;
        } catch (RuntimeException | Error e) {
            set.close();
            throw e;
        }
    }

    /**
     * The Sentinel deployment shared by the tests of this JVM, started on first use and killed when the JVM exits.
     * Tests share its data (use distinct key prefixes) and must not fail its master over (start their own for that).
     */
    public static synchronized RedisSentinelSet shared() {
        if (shared == null) {
            shared = start();
            RedisSentinelSet set = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(set::close, "redis-sentinel-shutdown"));
        }
        return shared;
    }

    private void startAll() {
        List<String> auth = List.of("--requirepass", DATA_PASSWORD, "--masterauth", DATA_PASSWORD);
        RedisServer master = RedisServer.start(new RedisServer.Launch(List.of(), auth, RedisServer.READY,
                subdirectory("master")));
        dataNodes.add(master);
        List<String> replicaArgs = new ArrayList<>(auth);
        replicaArgs.addAll(List.of("--replicaof", master.host(), Integer.toString(master.port())));
        RedisServer replica = RedisServer.start(new RedisServer.Launch(List.of(), replicaArgs, RedisServer.READY,
                subdirectory("replica")));
        dataNodes.add(replica);
        await("the replica is in sync", () -> {
            try (Jedis jedis = dataJedis(replica)) {
                return jedis.info("replication").contains("master_link_status:up");
            }
        });
        for (int i = 0; i < 3; i++) {
            Path conf = directory.resolve("sentinel-" + i + ".conf");
            String text = "sentinel monitor " + MASTER_NAME + " " + master.host() + " " + master.port() + " 2\n"
                    + "sentinel down-after-milliseconds " + MASTER_NAME + " 1000\n"
                    + "sentinel failover-timeout " + MASTER_NAME + " 5000\n"
                    + "sentinel parallel-syncs " + MASTER_NAME + " 1\n"
                    + "sentinel auth-pass " + MASTER_NAME + " " + DATA_PASSWORD + "\n"
                    + "requirepass " + SENTINEL_PASSWORD + "\n"
                    + "sentinel sentinel-pass " + SENTINEL_PASSWORD + "\n";
            try {
                Files.writeString(conf, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + conf, e);
            }
            sentinels.add(RedisServer.start(new RedisServer.Launch(List.of(conf.toString(), "--sentinel"),
                    List.of("--dir", directory.toString()), "+monitor master", directory)));
        }
        await("every sentinel sees the replica and the two other sentinels", () -> sentinels.stream().allMatch(s -> {
            try (Jedis jedis = sentinelJedis(s)) {
                Map<String, String> state = jedis.sentinelMaster(MASTER_NAME);
                return "2".equals(state.get("num-other-sentinels")) && "1".equals(state.get("num-slaves"))
                        && "master".equals(state.get("flags"));
            }
        }));
    }

    /** A fresh directory for one data node's files (each has its own: a replica writes the RDB it receives). */
    private Path subdirectory(String name) {
        Path dir = directory.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    /** The master's and replica's password ({@code requirepass}). */
    public String dataPassword() {
        return DATA_PASSWORD;
    }

    /** The sentinels' own password, different from the data nodes'. */
    public String sentinelPassword() {
        return SENTINEL_PASSWORD;
    }

    /** The sentinels as {@code host:port}. */
    public List<String> sentinelAddresses() {
        return sentinels.stream().map(RedisServer::address).collect(Collectors.toList());
    }

    /** The sentinels as Jedis addresses. */
    public Set<HostAndPort> sentinelHostAndPorts() {
        return sentinels.stream().map(RedisServer::hostAndPort)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The data node the first running sentinel names as master now. */
    public RedisServer currentMaster() {
        for (RedisServer sentinel : sentinels) {
            if (!sentinel.isRunning()) {
                continue;
            }
            try (Jedis jedis = sentinelJedis(sentinel)) {
                int port = Integer.parseInt(jedis.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
                return dataNodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
            }
        }
        throw new IllegalStateException("no sentinel runs");
    }

    /** The master and the replica, as started. */
    public List<RedisServer> dataNodes() {
        return List.copyOf(dataNodes);
    }

    /**
     * Waits until every sentinel names a node other than {@code oldMaster} as master, and that node says it is a
     * master ({@code ROLE}).
     */
    public RedisServer awaitFailoverFrom(RedisServer oldMaster) {
        await("the sentinels promoted a replica in place of port " + oldMaster.port(), () -> {
            for (RedisServer sentinel : sentinels) {
                try (Jedis jedis = sentinelJedis(sentinel)) {
                    int port = Integer.parseInt(jedis.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
                    if (port == oldMaster.port()) {
                        return false;
                    }
                }
            }
            RedisServer master = currentMaster();
            try (Jedis jedis = dataJedis(master)) {
                return "master".equals(String.valueOf(jedis.role().get(0)));
            }
        });
        return currentMaster();
    }

    /** A plain connection to a data node, authenticated, 2 s timeout; the caller closes it. */
    public Jedis dataJedis(RedisServer node) {
        return new Jedis(node.host(), node.port(), DefaultJedisClientConfig.builder()
                .autoNegotiateProtocol(false).timeoutMillis(2000).password(DATA_PASSWORD).build());
    }

    private static Jedis sentinelJedis(RedisServer sentinel) {
        return new Jedis(sentinel.host(), sentinel.port(), DefaultJedisClientConfig.builder()
                .autoNegotiateProtocol(false).timeoutMillis(2000).password(SENTINEL_PASSWORD).build());
    }

    /** Kills every process and deletes the files. */
    @Override
    public void close() {
        for (RedisServer server : Stream.concat(sentinels.stream(), dataNodes.stream()).collect(Collectors.toList())) {
            try {
                server.close();
            } catch (RuntimeException e) {
                // keep killing the others
            }
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: the directory is in the temporary directory
        }
    }

    private void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + CONVERGE_TIMEOUT.toNanos();
        JedisException last = null;
        while (true) {
            try {
                if (condition.get()) {
                    return;
                }
            } catch (JedisException e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + CONVERGE_TIMEOUT + " waiting until " + what
                        + "; sentinel logs:\n" + sentinels.stream().map(RedisServer::logTail)
                        .collect(Collectors.joining("\n----\n")), last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
