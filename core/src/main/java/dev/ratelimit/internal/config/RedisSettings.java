package dev.ratelimit.internal.config;

import static dev.ratelimit.internal.config.RateLimitSettings.*;

import dev.ratelimit.internal.Durations;
import dev.ratelimit.internal.Masking;
import dev.ratelimit.redis.RedisRateLimiter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code ratelimit.redis.*} settings, each value checked once, by the
 * {@link RedisRateLimiter.Builder} it is applied to; what only a combination of settings can get wrong (two
 * topologies, a user without a password, credentials without a topology) is checked here, naming the settings.
 */
final class RedisSettings {

    private final String redisUrl;
    private final List<String> clusterNodes;
    private final String sentinelMaster;
    private final List<String> sentinelNodes;
    private final String redisUser;
    private final String redisPassword;
    private final boolean redisSsl;
    private final String sentinelUser;
    private final String sentinelPassword;
    private final Duration redisTimeout;
    private final int redisMaxConnections;
    private final String redisKeyPrefix;
    private final RedisRateLimiter.Builder builder;
    private final boolean configured;

    RedisSettings(Function<String, Setting> in) {
        RedisRateLimiter.Builder redis = RedisRateLimiter.custom();
        Setting url = in.apply(REDIS_URL);
        Setting cluster = in.apply(REDIS_CLUSTER_NODES);
        Setting master = in.apply(REDIS_SENTINEL_MASTER);
        Setting sentinels = in.apply(REDIS_SENTINEL_NODES);
        checkOneTopology(url, cluster, master, sentinels);
        this.redisUrl = url == null ? null : url.text();
        apply(url, s -> checkRedisUrl(s, redis));
        this.clusterNodes = cluster == null ? null : Values.hostAndPorts(cluster.text(), cluster.errors());
        apply(cluster, s -> redis.clusterNodes(clusterNodes));
        this.sentinelMaster = master == null ? null : master.text();
        this.sentinelNodes = sentinels == null ? null : Values.hostAndPorts(sentinels.text(), sentinels.errors());
        if (master != null) {
            try {
                redis.sentinel(sentinelMaster, sentinelNodes);
            } catch (IllegalArgumentException e) {
                throw new Setting.InvalidSetting(REDIS_SENTINEL_MASTER + "='" + sentinelMaster + "' (from "
                        + master.source() + ") and " + REDIS_SENTINEL_NODES + "='"
                        + Masking.redisAddress(sentinels.text()) + "' (from " + sentinels.source()
                        + ") are invalid: " + e.getMessage());
            }
        }

        Setting user = in.apply(REDIS_USER);
        Setting password = in.apply(REDIS_PASSWORD);
        Setting ssl = in.apply(REDIS_SSL);
        Setting sUser = in.apply(REDIS_SENTINEL_USER);
        Setting sPassword = in.apply(REDIS_SENTINEL_PASSWORD);
        checkCredentialSettings(url, cluster, master, user, password, ssl, sUser, sPassword);
        this.redisUser = user == null ? null : user.text();
        this.redisPassword = password == null ? null : password.text();
        this.redisSsl = ssl != null && Values.bool(ssl.text(), ssl.errors());
        this.sentinelUser = sUser == null ? null : sUser.text();
        this.sentinelPassword = sPassword == null ? null : sPassword.text();
        apply(user != null ? user : password, s -> redis.credentials(redisUser, redisPassword));
        apply(ssl, s -> redis.ssl(redisSsl));
        apply(sUser != null ? sUser : sPassword, s -> redis.sentinelCredentials(sentinelUser, sentinelPassword));

        Setting timeout = in.apply(REDIS_TIMEOUT);
        this.redisTimeout = timeout == null ? RedisRateLimiter.DEFAULT_TIMEOUT
                : Values.duration(timeout.text(), MAX_DURATION, timeout.errors());
        apply(timeout, s -> redis.timeout(redisTimeout));
        Setting maxConnections = in.apply(REDIS_MAX_CONNECTIONS);
        this.redisMaxConnections = maxConnections == null ? RedisRateLimiter.DEFAULT_MAX_CONNECTIONS
                : Values.integer(maxConnections.text(), maxConnections.errors());
        apply(maxConnections, s -> redis.maxConnections(redisMaxConnections));
        Setting keyPrefix = in.apply(REDIS_KEY_PREFIX);
        this.redisKeyPrefix = keyPrefix == null ? RedisRateLimiter.DEFAULT_KEY_PREFIX : keyPrefix.text();
        apply(keyPrefix, s -> redis.keyPrefix(redisKeyPrefix));
        this.builder = redis;
        this.configured = url != null || cluster != null || master != null;
    }

    /** {@return whether a Redis topology is configured; without one, the in-memory limiter decides alone} */
    boolean configured() {
        return configured;
    }

    /** {@return the Redis store's builder with every setting applied} */
    RedisRateLimiter.Builder builder() {
        return builder;
    }

    /** At most one topology, and Sentinel needs both its settings. */
    private static void checkOneTopology(Setting url, Setting cluster, Setting master, Setting sentinels) {
        if ((master == null) != (sentinels == null)) {
            Setting set = master == null ? sentinels : master;
            throw new Setting.InvalidSetting("Redis Sentinel needs both " + REDIS_SENTINEL_MASTER + " and "
                    + REDIS_SENTINEL_NODES + "; only " + set.name() + " is set (from " + set.source() + ")");
        }
        List<Setting> topologies = new ArrayList<>();
        for (Setting t : new Setting[] {url, cluster, master}) {
            if (t != null) {
                topologies.add(t);
            }
        }
        if (topologies.size() > 1) {
            throw new Setting.InvalidSetting("set only one Redis topology (" + REDIS_URL + ", " + REDIS_CLUSTER_NODES
                    + " or " + REDIS_SENTINEL_MASTER + " with " + REDIS_SENTINEL_NODES + "), found "
                    + topologies.stream().map(t -> t.name() + " (from " + t.source() + ")")
                            .collect(Collectors.joining(" and ")));
        }
    }

    /** Which credential settings go with which topology, each named in its error. */
    private static void checkCredentialSettings(Setting url, Setting cluster, Setting master, Setting user,
            Setting password, Setting ssl, Setting sUser, Setting sPassword) {
        for (Setting dataNodeSetting : new Setting[] {user, password, ssl}) {
            if (dataNodeSetting != null && cluster == null && master == null) {
                throw dataNodeSetting.invalid(url != null
                        ? "applies to " + REDIS_CLUSTER_NODES + " and Redis Sentinel only: with " + REDIS_URL
                                + " put the user and password in the URL (redis://user:password@host:port) and use "
                                + "rediss:// for TLS"
                        : "needs " + REDIS_CLUSTER_NODES + " or " + REDIS_SENTINEL_MASTER + " to apply to");
            }
        }
        if (user != null && password == null) {
            throw user.invalid("needs " + REDIS_PASSWORD + " as well");
        }
        for (Setting sentinelSetting : new Setting[] {sUser, sPassword}) {
            if (sentinelSetting != null && master == null) {
                throw sentinelSetting.invalid("needs " + REDIS_SENTINEL_MASTER + " and " + REDIS_SENTINEL_NODES);
            }
        }
        if (sUser != null && sPassword == null) {
            throw sUser.invalid("needs " + REDIS_SENTINEL_PASSWORD + " as well");
        }
    }

    /** Sets the URL on the builder; a malformed one is reported without the URL's password or the parser's cause. */
    private static void checkRedisUrl(Setting s, RedisRateLimiter.Builder redis) {
        boolean valid;
        try {
            redis.uri(s.text());
            String userInfo = new URI(s.text()).getRawUserInfo();
            valid = userInfo == null || userInfo.indexOf(':') >= 0; // Jedis reads "user:password" or ":password"
        } catch (IllegalArgumentException | URISyntaxException e) {
            valid = false; // the builder's message and the cause would show the URL: never chained, never shown
        }
        if (!valid) {
            throw s.invalid("must look like redis://[user:password@]host:port[/db] or rediss://…");
        }
    }

    /**
     * {@return the Redis URL (with its password, if any); empty when the in-memory limiter or another topology is
     * used}
     */
    public Optional<String> redisUrl() {
        return Optional.ofNullable(redisUrl);
    }

    /** {@return the Redis Cluster seed nodes ({@code host:port}); empty unless a cluster is configured} */
    public List<String> redisClusterNodes() {
        return clusterNodes == null ? List.of() : clusterNodes;
    }

    /** {@return the Sentinel master name; empty unless Redis Sentinel is configured} */
    public Optional<String> redisSentinelMaster() {
        return Optional.ofNullable(sentinelMaster);
    }

    /** {@return the sentinels ({@code host:port}); empty unless Redis Sentinel is configured} */
    public List<String> redisSentinelNodes() {
        return sentinelNodes == null ? List.of() : sentinelNodes;
    }

    /** {@return whether cluster or Sentinel connections use TLS; false by default} */
    public boolean redisSsl() {
        return redisSsl;
    }

    /** Where decisions are made, for the startup log (no password). */
    String topology() {
        if (redisUrl != null) {
            return "Redis at " + Masking.redisAddress(redisUrl);
        }
        if (clusterNodes != null) {
            return "Redis Cluster via " + Masking.redisAddress(clusterNodes.toString());
        }
        return "Redis Sentinel master '" + sentinelMaster + "' via " + Masking.redisAddress(sentinelNodes.toString());
    }

    /** {@return connect and read timeout of Redis calls; 100 ms by default} */
    public Duration redisTimeout() {
        return redisTimeout;
    }

    /**
     * The Redis connection pool size, from {@code ratelimit.redis.max-connections}.
     *
     * @return the pool size; 64 by default
     */
    public int redisMaxConnections() {
        return redisMaxConnections;
    }

    /**
     * The first part of every Redis key, from {@code ratelimit.redis.key-prefix}.
     *
     * @return the prefix; {@code rl} by default
     */
    public String redisKeyPrefix() {
        return redisKeyPrefix;
    }

    /**
     * The topology and credential settings (only those set, passwords as {@code ***}), timeout, pool size and prefix.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (clusterNodes != null) {
            s.append(shortName(REDIS_CLUSTER_NODES)).append('=').append(Masking.redisAddress(clusterNodes.toString()));
        } else if (sentinelMaster != null) {
            s.append(shortName(REDIS_SENTINEL_MASTER)).append('=').append(sentinelMaster).append(", ")
                    .append(shortName(REDIS_SENTINEL_NODES)).append('=')
                    .append(Masking.redisAddress(sentinelNodes.toString()));
            if (sentinelUser != null) {
                s.append(", ").append(shortName(REDIS_SENTINEL_USER)).append('=').append(sentinelUser);
            }
            if (sentinelPassword != null) {
                s.append(", ").append(shortName(REDIS_SENTINEL_PASSWORD)).append('=').append(Masking.MASK);
            }
        } else {
            s.append(shortName(REDIS_URL)).append('=')
                    .append(redisUrl == null ? "(none: in-memory)" : Masking.redisAddress(redisUrl));
        }
        if (redisUser != null) {
            s.append(", ").append(shortName(REDIS_USER)).append('=').append(redisUser);
        }
        if (redisPassword != null) {
            s.append(", ").append(shortName(REDIS_PASSWORD)).append('=').append(Masking.MASK);
        }
        if (redisSsl) {
            s.append(", ").append(shortName(REDIS_SSL)).append("=true");
        }
        return s.append(", ").append(shortName(REDIS_TIMEOUT)).append('=').append(Durations.format(redisTimeout))
                .append(", ").append(shortName(REDIS_MAX_CONNECTIONS)).append('=').append(redisMaxConnections)
                .append(", ").append(shortName(REDIS_KEY_PREFIX)).append('=').append(redisKeyPrefix).toString();
    }
}
