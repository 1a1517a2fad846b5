package dev.ratelimit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real Redis Cluster for tests: {@code masters} redis-server processes in cluster mode, each with
 * {@code replicasPerMaster} replicas, on free loopback ports, built by the test itself through Jedis ({@code CLUSTER
 * MEET}, {@code ADDSLOTS}, {@code REPLICATE}), since {@code redis-cli} may not exist next to the embedded binary. The
 * slots are split evenly over the masters. Works with the same binaries as {@link RedisServer} (Redis 6.2 and 7).
 *
 * <p>Nodes use a 1 s {@code cluster-node-timeout}, so a killed master is replaced by its replica within a few
 * seconds. Waiting for the cluster is bounded polling with a deadline, never a fixed sleep.
 *
 * <p>{@link #shared()} is one 3-master, 3-replica cluster per JVM. A test may fail a master over on it if it
 * {@link #restart(RedisServer) restarts} that node afterwards (it rejoins as a replica), so the next test again finds
 * three masters with a replica each.
 */
public final class RedisCluster implements AutoCloseable {

    /** Number of hash slots of every Redis Cluster. */
    public static final int SLOTS = 16384;

    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(30);
    private static final int NODE_TIMEOUT_MILLIS = 1000;
    private static RedisCluster shared;

    private final Path directory;
    private final List<RedisServer> nodes;

    private RedisCluster(Path directory, List<RedisServer> nodes) {
        this.directory = directory;
        this.nodes = nodes;
    }

    /**
     * Starts {@code masters} masters with {@code replicasPerMaster} replicas each and waits until every node reports
     * {@code cluster_state:ok} and every replica is in sync.
     *
     * @throws IllegalStateException when the cluster does not converge within 30 s (all processes are killed)
     */
    public static RedisCluster start(int masters, int replicasPerMaster) {
        if (masters < 1 || masters > 16 || replicasPerMaster < 0) {
            throw new IllegalArgumentException("1 to 16 masters and no negative replica count, got " + masters
                    + " and " + replicasPerMaster);
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("ratelimit-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the cluster", e);
        }
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(directory, nodes);
        try {
            int total = masters * (1 + replicasPerMaster);
            for (int i = 0; i < total; i++) {
                nodes.add(RedisServer.start(launch(directory.resolve("node-" + i))));
            }
            cluster.create(masters, replicasPerMaster);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * The cluster shared by the tests of this JVM: 3 masters with one replica each, started on first use and
     * killed when the JVM exits. Tests share its data: use distinct key prefixes.
     */
    public static synchronized RedisCluster shared() {
        if (shared == null) {
            shared = start(3, 1);
            RedisCluster cluster = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "redis-cluster-shutdown"));
        }
        return shared;
    }

    private static RedisServer.Launch launch(Path nodeDirectory) {
        try {
            Files.createDirectories(nodeDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + nodeDirectory, e);
        }
        return new RedisServer.Launch(List.of(), List.of(
                "--dir", nodeDirectory.toString(),
                "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MILLIS),
                // a replica may always take over, however long its link was down: tests fail masters over at will
                "--cluster-replica-validity-factor", "0"),
                RedisServer.READY, nodeDirectory);
    }

    private void create(int masters, int replicasPerMaster) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            try (Jedis jedis = jedis(nodes.get(i))) {
                jedis.clusterSetConfigEpoch(i + 1); // distinct epochs up front, as redis-cli does
                ids.add(myId(jedis.clusterNodes()));
            }
        }
        try (Jedis first = jedis(nodes.get(0))) {
            for (int i = 1; i < nodes.size(); i++) {
                first.clusterMeet(RedisServer.HOST, nodes.get(i).port());
            }
        }
        for (int m = 0; m < masters; m++) {
            int from = SLOTS * m / masters;
            int to = SLOTS * (m + 1) / masters;
            try (Jedis jedis = jedis(nodes.get(m))) {
                jedis.clusterAddSlots(IntStream.range(from, to).toArray()); // ADDSLOTSRANGE needs Redis 7
            }
        }
        await("every node knows all " + nodes.size() + " nodes", () -> nodes.stream().allMatch(node -> {
            List<NodeLine> lines = clusterNodes(node);
            return lines.size() == nodes.size() && lines.stream().noneMatch(l -> l.flags.contains("handshake"));
        }));
        for (int r = masters; r < nodes.size(); r++) {
            String masterId = ids.get((r - masters) % masters);
            try (Jedis jedis = jedis(nodes.get(r))) {
                jedis.clusterReplicate(masterId);
            }
        }
        awaitHealthy();
    }

    /**
     * Waits until every running node reports {@code cluster_state:ok}, all running nodes agree on which running
     * master serves each slot, every running replica's link to its master is up, and every node sees all of them.
     *
     * @throws IllegalStateException after 30 s, with each node's view
     */
    public void awaitHealthy() {
        await("the cluster is healthy", this::isHealthy);
    }

    private boolean isHealthy() {
        List<RedisServer> running = running();
        Map<Integer, Integer> slotOwnerOfFirst = null;
        for (RedisServer node : running) {
            String info;
            List<NodeLine> lines;
            try (Jedis jedis = jedis(node)) {
                info = jedis.clusterInfo();
                lines = parse(jedis.clusterNodes());
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:" + SLOTS)) {
                    return false;
                }
                if (lines.stream().anyMatch(l -> l.isSelf() && l.isReplica())
                        && !jedis.info("replication").contains("master_link_status:up")) {
                    return false;
                }
            }
            Map<Integer, Integer> owners = new HashMap<>();
            for (NodeLine line : lines) {
                boolean alive = running.stream().anyMatch(n -> n.port() == line.port);
                if (alive && (line.flags.contains("fail") || line.flags.contains("handshake")
                        || line.flags.contains("noaddr"))) {
                    return false; // a running node still marked failed by this one
                }
                if (!line.slotRanges.isEmpty()) {
                    if (!alive || !line.isMaster()) {
                        return false;
                    }
                    for (String range : line.slotRanges) {
                        owners.put(Integer.parseInt(range.split("-")[0]), line.port);
                    }
                }
            }
            long replicasSeen = lines.stream().filter(l -> l.isReplica()
                    && running.stream().anyMatch(n -> n.port() == l.port)).count();
            long replicasRunning = running.stream().filter(n -> isReplica(n)).count();
            if (replicasSeen != replicasRunning) {
                return false;
            }
            if (slotOwnerOfFirst == null) {
                slotOwnerOfFirst = owners;
            } else if (!slotOwnerOfFirst.equals(owners)) {
                return false;
            }
        }
        return true;
    }

    private boolean isReplica(RedisServer node) {
        return clusterNodes(node).stream().anyMatch(l -> l.isSelf() && l.isReplica());
    }

    /** Every node (running or killed), masters first as created. */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** The running nodes that serve slots now, by port. */
    public List<RedisServer> masters() {
        RedisServer any = running().get(0);
        Set<Integer> ports = clusterNodes(any).stream().filter(l -> l.isMaster() && !l.slotRanges.isEmpty())
                .map(l -> l.port).collect(Collectors.toSet());
        return nodes.stream().filter(n -> n.isRunning() && ports.contains(n.port()))
                .sorted(Comparator.comparingInt(RedisServer::port)).collect(Collectors.toList());
    }

    /** The running master that serves {@code slot} now. */
    public RedisServer masterOf(int slot) {
        RedisServer any = running().get(0);
        for (NodeLine line : clusterNodes(any)) {
            if (!line.isMaster()) {
                continue;
            }
            for (String range : line.slotRanges) {
                String[] bounds = range.split("-");
                int from = Integer.parseInt(bounds[0]);
                int to = Integer.parseInt(bounds[bounds.length - 1]);
                if (slot >= from && slot <= to) {
                    return nodes.stream().filter(n -> n.port() == line.port).findFirst().orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** The {@code host:port} of every node, as seed nodes for a cluster client. */
    public List<String> seeds() {
        return nodes.stream().map(RedisServer::address).collect(Collectors.toList());
    }

    /** The seed nodes as Jedis addresses. */
    public Set<HostAndPort> hostAndPorts() {
        return nodes.stream().map(RedisServer::hostAndPort)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** A new cluster client with a 2 s timeout; the caller closes it. */
    public RedisClusterClient client() {
        return RedisClusterClient.builder().nodes(hostAndPorts())
                .clientConfig(DefaultJedisClientConfig.builder().timeoutMillis(2000).build()).build();
    }

    /** A plain connection to one node with a 2 s timeout (for CLUSTER, INFO, SCRIPT commands); caller closes it. */
    public static Jedis jedis(RedisServer node) {
        return new Jedis(node.host(), node.port(), DefaultJedisClientConfig.builder().autoNegotiateProtocol(false)
                .timeoutMillis(2000).build());
    }

    /** The slot of a key, asked of a running node ({@code CLUSTER KEYSLOT}). */
    public int keySlot(String key) {
        try (Jedis jedis = jedis(running().get(0))) {
            return Math.toIntExact(jedis.clusterKeySlot(key));
        }
    }

    /** {@code SCRIPT FLUSH} on every running node, as a restart or a failover to a fresh replica would leave it. */
    public void flushScripts() {
        for (RedisServer node : running()) {
            try (Jedis jedis = jedis(node)) {
                jedis.scriptFlush();
            }
        }
    }

    /** Whether a script with this SHA1 is cached on the node. */
    public static boolean hasScript(RedisServer node, String sha1) {
        try (Jedis jedis = jedis(node)) {
            return jedis.scriptExists(sha1);
        }
    }

    /**
     * Waits until a replica has taken over the slots of the (killed) {@code oldMaster} and the cluster is
     * healthy again.
     */
    public void awaitFailoverFrom(RedisServer oldMaster) {
        await("a replica took over from port " + oldMaster.port(),
                () -> masters().stream().noneMatch(m -> m.port() == oldMaster.port()) && isHealthy());
    }

    /**
     * Starts a killed node again on its port with its {@code nodes.conf}: it rejoins the cluster (a replaced master
     * as a replica of its successor); waits until the cluster is healthy.
     */
    public void restart(RedisServer node) {
        node.restart();
        awaitHealthy();
    }

    /** Kills every node and deletes the cluster's files. Does nothing more when called twice. */
    @Override
    public synchronized void close() {
        for (RedisServer node : nodes) {
            try {
                node.close();
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

    @Override
    public String toString() {
        return "RedisCluster" + seeds();
    }

    private List<RedisServer> running() {
        List<RedisServer> running = nodes.stream().filter(RedisServer::isRunning).collect(Collectors.toList());
        if (running.isEmpty()) {
            throw new IllegalStateException("no node of the cluster runs");
        }
        return running;
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
                last = e; // a node still starting or just killed: look again
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + CONVERGE_TIMEOUT + " waiting until " + what
                        + "; nodes:\n" + describe(), last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private String describe() {
        StringBuilder s = new StringBuilder();
        for (RedisServer node : nodes) {
            s.append("port ").append(node.port()).append(node.isRunning() ? "" : " (killed)").append(":\n");
            if (node.isRunning()) {
                try (Jedis jedis = jedis(node)) {
                    s.append(jedis.clusterNodes());
                } catch (JedisException e) {
                    s.append("  ").append(e).append('\n');
                }
            }
        }
        return s.toString();
    }

    private static List<NodeLine> clusterNodes(RedisServer node) {
        try (Jedis jedis = jedis(node)) {
            return parse(jedis.clusterNodes());
        }
    }

    private static String myId(String clusterNodes) {
        return parse(clusterNodes).stream().filter(NodeLine::isSelf).findFirst().orElseThrow().id;
    }

    private static List<NodeLine> parse(String clusterNodes) {
        return clusterNodes.lines().filter(l -> !l.isBlank()).map(NodeLine::new).collect(Collectors.toList());
    }

    /** One line of {@code CLUSTER NODES}: id, address, flags, master id, …, link state, slot ranges. */
    private static final class NodeLine {
        final String id;
        final int port;
        final Set<String> flags;
        final List<String> slotRanges;

        NodeLine(String line) {
            String[] f = line.trim().split(" ");
            this.id = f[0];
            String address = f[1].split("@")[0];
            this.port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            this.flags = Set.of(f[2].split(","));
            List<String> ranges = new ArrayList<>();
            for (int i = 8; i < f.length; i++) {
                if (!f[i].startsWith("[")) { // skip importing/migrating markers
                    ranges.add(f[i]);
                }
            }
            this.slotRanges = ranges;
        }

        boolean isSelf() {
            return flags.contains("myself");
        }

        boolean isMaster() {
            return flags.contains("master");
        }

        boolean isReplica() {
            return flags.contains("slave");
        }
    }
}
