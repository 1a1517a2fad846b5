package dev.ratelimit.redis;

import dev.ratelimit.internal.Masking;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.JedisURIHelper;
import redis.clients.jedis.util.Pool;

/**
 * The Redis limiter's connection: the client it was given, or the one it creates for its topology (single Redis,
 * Cluster or Sentinel) with its pool, connected on first use; running a script (EVALSHA, then EVAL after NOSCRIPT,
 * once more on a fresh connection when pooled connections outlived a Redis restart or failover); closing.
 */
final class RedisConnection {

    private final Topology topology;
    private final boolean ownsClient;
    private final ReentrantLock connecting = new ReentrantLock();
    private volatile UnifiedJedis redis;
    private volatile long failedConnects;
    private volatile boolean closed;

    RedisConnection(Topology topology) {
        this.topology = topology.copy();
        this.ownsClient = topology.client == null;
        this.redis = topology.client;
    }

    /** Runs a script, once more on a new connection if pooled connections outlived a Redis restart or failover. */
    Object script(RateLimitScript script, List<String> keys, List<String> args) {
        UnifiedJedis jedis = client();
        try {
            return run(jedis, script, keys, args);
        } catch (JedisException e) {
            if (!isStaleConnection(e)) {
                throw e;
            }
            clearPools(jedis);
            return run(jedis, script, keys, args);
        }
    }

    /** Whether every key lives on one Redis (single or Sentinel-managed), so one script may touch any keys. */
    boolean singleNode() {
        UnifiedJedis jedis = client();
        return jedis instanceof RedisClient || jedis instanceof RedisSentinelClient;
    }

    /** The Redis client, connecting it first if this connection creates its own and has not connected yet. */
    UnifiedJedis client() {
        UnifiedJedis current = redis;
        if (current != null) {
            return current;
        }
        long failuresSeen = failedConnects;
        connecting.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the Redis rate limiter is closed");
            }
            if (redis != null) {
                return redis;
            }
            if (failedConnects != failuresSeen) {
                // another thread just tried while this one waited: fail like it did rather than queue up retries
                throw new JedisConnectionException("cannot connect to " + topology.describe()
                        + " (a concurrent attempt just failed)");
            }
            try {
                redis = topology.createClient();
                return redis;
            } catch (RuntimeException e) {
                failedConnects++;
                throw e;
            }
        } finally {
            connecting.unlock();
        }
    }

    /**
     * A new connection to one node of the client's topology, outside its pool (a pub/sub subscription holds its
     * connection for good, which must not take one of the pool's), made by the pool's own factory; null for a client
     * whose pools this class does not know (the subscription then borrows from the client).
     */
    Connection dedicatedConnection() {
        UnifiedJedis jedis = client();
        Pool<Connection> pool = null;
        if (jedis instanceof RedisClient) {
            pool = ((RedisClient) jedis).getPool();
        } else if (jedis instanceof RedisClusterClient) {
            pool = ((RedisClusterClient) jedis).getClusterNodes().values().stream().findFirst().orElse(null);
        } else if (jedis instanceof RedisSentinelClient) {
            pool = ((RedisSentinelClient) jedis).getPrimaryNodesConnectionMap().values().stream().findFirst()
                    .orElse(null);
        }
        if (pool == null) {
            return null;
        }
        try {
            return pool.getFactory().makeObject().getObject();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new JedisConnectionException("cannot connect to " + topology.describe(), e);
        }
    }

    /** Drops the idle pooled connections of every node the client talks to (they get reconnected on demand). */
    private static void clearPools(UnifiedJedis client) {
        if (client instanceof RedisClient) {
            ((RedisClient) client).getPool().clear();
        } else if (client instanceof RedisClusterClient) {
            ((RedisClusterClient) client).getClusterNodes().values().forEach(ConnectionPool::clear);
        } else if (client instanceof RedisSentinelClient) {
            ((RedisSentinelClient) client).getPrimaryNodesConnectionMap().values().forEach(Pool::clear);
        }
    }

    private static Object run(UnifiedJedis redis, RateLimitScript script, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(script.sha1, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(script.text, keys, args); // caches the script again on that node
        }
    }

    /**
     * A connection that broke (reset, end of stream), as opposed to a Redis that is down or too slow. The cluster
     * client wraps the failures of its attempts, so causes and suppressed exceptions are searched.
     */
    static boolean isStaleConnection(Throwable e) {
        return stale(e, 0) > 0;
    }

    /** 1: a broken connection seen; -1: a refused connection seen (Redis is down); 0: neither. */
    private static int stale(Throwable t, int depth) {
        if (t == null || depth > 8) {
            return 0;
        }
        if (t instanceof java.net.ConnectException) {
            return -1;
        }
        if (t instanceof java.net.SocketException
                || (t.getMessage() != null && t.getMessage().contains("Unexpected end of stream"))) {
            return 1;
        }
        int found = stale(t.getCause(), depth + 1);
        for (Throwable suppressed : t.getSuppressed()) {
            found = found != 0 ? found : stale(suppressed, depth + 1);
        }
        return found;
    }

    /** Closes the Redis client if this connection created it; a client passed in stays open. */
    void close() {
        connecting.lock();
        try {
            closed = true;
            if (ownsClient && redis != null) {
                redis.close();
            }
        } finally {
            connecting.unlock();
        }
    }

    /** The topology for messages and logs, without any password. */
    String describe() {
        return topology.describe();
    }

    /**
     * Where Redis is and how to reach it, as set on the limiter's builder (each value checked when set, the
     * combination by {@link #check()}).
     */
    static final class Topology implements Cloneable {
        UnifiedJedis client;
        URI uri;
        Set<HostAndPort> clusterNodes;
        String sentinelMaster;
        Set<HostAndPort> sentinels;
        String user;
        String password;
        boolean ssl;
        String sentinelUser;
        String sentinelPassword;
        Duration timeout = RedisRateLimiter.DEFAULT_TIMEOUT;
        int maxConnections = RedisRateLimiter.DEFAULT_MAX_CONNECTIONS;

        /** A copy the builder's later calls do not change (every field is immutable or a value). */
        private Topology copy() {
            try {
                return (Topology) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        /** Exactly one topology, with credentials that fit it. */
        void check() {
            List<String> set = new ArrayList<>();
            if (client != null) {
                set.add("client(…)");
            }
            if (uri != null) {
                set.add("uri(…)");
            }
            if (clusterNodes != null) {
                set.add("clusterNodes(…)");
            }
            if (sentinels != null) {
                set.add("sentinel(…)");
            }
            if (set.size() != 1) {
                throw new IllegalStateException("set exactly one of uri(…), clusterNodes(…), sentinel(…) or "
                        + "client(…)" + (set.isEmpty() ? "" : "; set: " + String.join(", ", set)));
            }
            if (client != null && (password != null || ssl || sentinelPassword != null)) {
                throw new IllegalStateException("credentials(…), sentinelCredentials(…) and ssl(…) configure a "
                        + "client the limiter creates; a client(…) passed in brings its own");
            }
            if (uri != null && (password != null || ssl)) {
                throw new IllegalStateException("a single Redis takes its credentials and TLS from the URL "
                        + "(redis://user:password@host:port, rediss://…), not from credentials(…) or ssl(…)");
            }
            if (sentinelPassword != null && sentinels == null) {
                throw new IllegalStateException("sentinelCredentials(…) needs sentinel(…)");
            }
        }

        /** The topology for messages and logs, without any password. */
        String describe() {
            if (uri != null) {
                return "Redis " + Masking.redisAddress(uri.toString());
            }
            if (clusterNodes != null) {
                return "Redis Cluster " + Masking.redisAddress(clusterNodes.toString());
            }
            if (sentinels != null) {
                return "Redis Sentinel master '" + sentinelMaster + "' via "
                        + Masking.redisAddress(sentinels.toString());
            }
            return "a Jedis " + (client == null ? "client" : client.getClass().getSimpleName());
        }

        private UnifiedJedis createClient() {
            int millis = (int) Math.max(1, timeout.toMillis());
            DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(millis)
                    .socketTimeoutMillis(millis)
                    .clientName("ratelimit");
            ConnectionPoolConfig pool = new ConnectionPoolConfig();
            pool.setMaxTotal(maxConnections);
            pool.setMaxIdle(maxConnections);
            pool.setMaxWait(timeout);
            // No idle-connection evictor: it runs on commons-pool's shared timer thread, which can outlive an
            // undeployed webapp (Tomcat reports it as a leak). Idle connections broken by a Redis restart or failover
            // are dropped by the retry in script(), so the limiter starts no background thread at all.
            pool.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
            pool.setTestWhileIdle(false);
            if (uri == null) {
                if (password != null) {
                    config.user(user).password(password);
                }
                if (ssl) {
                    config.sslOptions(SslOptions.defaults());
                }
                if (clusterNodes != null) {
                    return RedisClusterClient.builder()
                            .nodes(clusterNodes)
                            .clientConfig(config.build())
                            .poolConfig(pool)
                            .build();
                }
                // sentinels are asked through plain Jedis connections, which speak RESP2 only: say so up front
                DefaultJedisClientConfig.Builder sentinelConfig = DefaultJedisClientConfig.builder()
                        .autoNegotiateProtocol(false)
                        .connectionTimeoutMillis(millis)
                        .socketTimeoutMillis(millis)
                        .clientName("ratelimit-sentinel");
                if (sentinelPassword != null) {
                    sentinelConfig.user(sentinelUser).password(sentinelPassword);
                }
                if (ssl) {
                    sentinelConfig.sslOptions(SslOptions.defaults());
                }
                return RedisSentinelClient.builder()
                        .masterName(sentinelMaster)
                        .sentinels(sentinels)
                        .clientConfig(config.build())
                        .sentinelClientConfig(sentinelConfig.build())
                        .poolConfig(pool)
                        .build();
            }
            if (JedisURIHelper.isRedisSSLScheme(uri)) {
                config.sslOptions(SslOptions.defaults());
            }
            String uriUser = JedisURIHelper.getUser(uri);
            String uriPassword = JedisURIHelper.getPassword(uri);
            if (uriPassword != null) {
                config.user(uriUser).password(uriPassword);
            }
            if (JedisURIHelper.hasDbIndex(uri)) {
                config.database(JedisURIHelper.getDBIndex(uri));
            }
            return RedisClient.builder()
                    .hostAndPort(JedisURIHelper.getHostAndPort(uri))
                    .clientConfig(config.build())
                    .poolConfig(pool)
                    .build();
        }
    }
}
