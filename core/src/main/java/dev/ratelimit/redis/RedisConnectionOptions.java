package dev.ratelimit.redis;

import dev.ratelimit.internal.Masking;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The connection settings of {@link RedisRateLimiter.Builder}: where Redis is (one topology) and how to reach it,
 * each value checked when set and kept in the {@link RedisConnection.Topology} the limiter's connection is created
 * from. Public only through the builder, which inherits these setters.
 *
 * @param <B> the builder these setters return
 */
abstract class RedisConnectionOptions<B extends RedisConnectionOptions<B>> {

    /** What the setters set; the builder checks the combination ({@link RedisConnection.Topology#check()}). */
    final RedisConnection.Topology topology = new RedisConnection.Topology();

    RedisConnectionOptions() {
    }

    /** This builder, as its own type. */
    abstract B self();

    /**
     * Uses an existing Jedis client (single, Sentinel or Cluster); the limiter does not close it.
     *
     * @param client the client; its timeouts and pool are the application's
     * @return this builder
     * @throws IllegalArgumentException when {@code client} is null
     */
    public B client(UnifiedJedis client) {
        if (client == null) {
            throw new IllegalArgumentException("client must not be null");
        }
        topology.client = client;
        return self();
    }

    /**
     * A single Redis at {@code redis://[user:password@]host:port[/db]} or {@code rediss://…} (TLS); the limiter
     * owns and closes that client. The password never appears in messages.
     *
     * @param redisUri the Redis URL; surrounding blanks are ignored
     * @return this builder
     * @throws IllegalArgumentException when the URL is null, malformed or has no host
     */
    public B uri(String redisUri) {
        topology.uri = parseUri(redisUri);
        return self();
    }

    /**
     * A Redis Cluster, reached through these seed nodes ({@code host:port}; a few suffice, the client discovers
     * the others and follows MOVED/ASK redirections and failovers). The limiter owns and closes that client.
     *
     * @param hostAndPorts the seed nodes as {@code host:port}, at least one
     * @return this builder
     * @throws IllegalArgumentException when none is given or an address is not {@code host:port}
     */
    public B clusterNodes(String... hostAndPorts) {
        return clusterNodes(hostAndPorts == null ? null : List.of(hostAndPorts));
    }

    /**
     * {@link #clusterNodes(String...)} from a list.
     *
     * @param hostAndPorts the seed nodes as {@code host:port}, at least one
     * @return this builder
     * @throws IllegalArgumentException when the list is empty or an address is not {@code host:port}
     */
    public B clusterNodes(List<String> hostAndPorts) {
        topology.clusterNodes = addresses("clusterNodes", hostAndPorts);
        return self();
    }

    /**
     * A master managed by Redis Sentinel: {@code masterName} as in the sentinels' {@code sentinel monitor}
     * line, and the sentinels ({@code host:port}) to ask where it is. After a failover the client follows the
     * sentinels to the new master. The limiter owns and closes that client.
     *
     * @param masterName the master's name in the sentinels' configuration
     * @param sentinels  the sentinels as {@code host:port}, at least one
     * @return this builder
     * @throws IllegalArgumentException when the name is blank or an address is not {@code host:port}
     */
    public B sentinel(String masterName, List<String> sentinels) {
        if (masterName == null || masterName.isBlank() || masterName.chars().anyMatch(c -> c <= 0x20)) {
            throw new IllegalArgumentException("sentinel master name must be a non-blank name without spaces, "
                    + "was '" + masterName + "'");
        }
        topology.sentinels = addresses("sentinels", sentinels);
        topology.sentinelMaster = masterName;
        return self();
    }

    /**
     * User (null for the {@code default} user) and password of the cluster or Sentinel-managed data nodes. A
     * single Redis takes them from its URL instead. The password never appears in messages.
     *
     * @param user     the data nodes' user, or null for the {@code default} user
     * @param password the data nodes' password, not empty
     * @return this builder
     * @throws IllegalArgumentException when the password is empty or the user name is blank or has spaces
     */
    public B credentials(String user, String password) {
        checkCredentials("", user, password);
        topology.user = user;
        topology.password = password;
        return self();
    }

    /**
     * User and password of the sentinels themselves ({@code requirepass} of the sentinels), which may differ
     * from the data nodes'. Only with {@link #sentinel(String, List)}.
     *
     * @param user     the sentinels' user, or null for the {@code default} user
     * @param password the sentinels' password, not empty
     * @return this builder
     * @throws IllegalArgumentException when the password is empty or the user name is blank or has spaces
     */
    public B sentinelCredentials(String user, String password) {
        checkCredentials("sentinel ", user, password);
        topology.sentinelUser = user;
        topology.sentinelPassword = password;
        return self();
    }

    /**
     * TLS to the cluster nodes, or to the sentinels and the data nodes, with the JVM's trust store; false unless
     * set. A single Redis uses TLS with a {@code rediss://} URL instead.
     *
     * @param ssl whether to use TLS
     * @return this builder
     */
    public B ssl(boolean ssl) {
        topology.ssl = ssl;
        return self();
    }

    /**
     * Connect and read timeout of each Redis call (and of the sentinels), and the longest wait for a pooled
     * connection; 100 ms unless set, so a stalled Redis fails fast. A cluster call may follow redirections and
     * retry on another node for up to 5 times this.
     *
     * @param timeout from 1 ms to 60 s
     * @return this builder
     * @throws IllegalArgumentException when {@code timeout} is null or outside 1 ms to 60 s
     */
    public B timeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > 60_000) {
            throw new IllegalArgumentException("timeout must be between 1 ms and 60 s, was " + timeout);
        }
        topology.timeout = timeout;
        return self();
    }

    /**
     * Pool size of a client the limiter creates (per node in a cluster); 64 unless set.
     *
     * @param maxConnections at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code maxConnections} is less than 1
     */
    public B maxConnections(int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        topology.maxConnections = maxConnections;
        return self();
    }

    /** Parses a single Redis's URL; the password never appears in messages. */
    private static URI parseUri(String redisUri) {
        URI parsed;
        try {
            parsed = new URI(redisUri == null ? "" : redisUri.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Redis URL '" + Masking.redisAddress(redisUri)
                    + "' is not a valid URL");
        }
        if (!JedisURIHelper.isValid(parsed) || parsed.getHost() == null) {
            throw new IllegalArgumentException("Redis URL '" + Masking.redisAddress(redisUri)
                    + "' must look like redis://[user:password@]host:port[/db] or rediss://…");
        }
        return parsed;
    }

    /** A non-empty password, and a user that is null (the default user) or a name without spaces. */
    private static void checkCredentials(String whose, String user, String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException(whose + "password must not be empty");
        }
        if (user != null && (user.isBlank() || user.chars().anyMatch(c -> c <= 0x20))) {
            throw new IllegalArgumentException(whose + "user must be null (the default user) or a name without "
                    + "spaces");
        }
    }

    /** Parses {@code host:port} entries ({@code [v6]:port} for IPv6), rejecting blanks and duplicates. */
    private static Set<HostAndPort> addresses(String what, List<String> hostAndPorts) {
        if (hostAndPorts == null || hostAndPorts.isEmpty()) {
            throw new IllegalArgumentException(what + " needs at least one host:port");
        }
        Set<HostAndPort> parsed = new LinkedHashSet<>();
        for (String entry : hostAndPorts) {
            HostAndPort address = address(what, entry);
            if (!parsed.add(address)) {
                throw new IllegalArgumentException(what + " lists " + entry.strip() + " twice");
            }
        }
        return Collections.unmodifiableSet(parsed);
    }

    private static HostAndPort address(String what, String entry) {
        String text = entry == null ? "" : entry.strip();
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= 0x20 || c == '/' || c == '@')
                || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(what + " entry '" + Masking.redisAddress(text)
                    + "' must look like host:port, e.g. redis-1:6379 or [::1]:6379");
        }
        return new HostAndPort(host, Integer.parseInt(port));
    }
}
