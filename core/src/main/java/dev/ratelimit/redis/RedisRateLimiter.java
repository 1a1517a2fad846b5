package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.internal.Masking;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
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
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.JedisURIHelper;
import redis.clients.jedis.util.Pool;

/**
 * A {@link RateLimiter} whose decisions are made atomically inside Redis, so every instance of a service shares one
 * limit per key. Each request is one EVALSHA of one Lua script (all its rules checked and consumed together, on the
 * Redis server's clock); a NOSCRIPT reply after a Redis restart or {@code SCRIPT FLUSH} is answered by sending the
 * script once more (on whichever node serves the keys). Runs on a single Redis ({@link Builder#uri(String)}), a Redis
 * Cluster ({@link Builder#clusterNodes(String...)}), a Sentinel-managed master ({@link Builder#sentinel(String, List)})
 * or any Jedis 8 {@link UnifiedJedis} client; in a cluster all keys of one request share a hash tag, hence one slot.
 *
 * <p>A client the limiter creates connects on first use, not when built: an unreachable Redis makes calls fail (and
 * the fallback limiter decide), never the application's start. A failed connection attempt is tried again on the
 * next call.
 *
 * <p>Keys look like {@code <prefix>:{<client key>}:<rule name>:<algorithm>}; client keys longer than 64 characters
 * or with unusual characters are hashed (see {@link ClientKeys}). Every key has a TTL no longer than its state needs.
 *
 * <p>Redis errors reach the caller as Jedis exceptions; wrap this limiter in the fallback limiter to keep deciding
 * while Redis is unavailable.
 */
public final class RedisRateLimiter implements RateLimiter {

    private static final String[] ALGORITHM_SUFFIX = new String[Algorithm.values().length];

    static {
        ALGORITHM_SUFFIX[Algorithm.FIXED_WINDOW.ordinal()] = "fw";
        ALGORITHM_SUFFIX[Algorithm.SLIDING_WINDOW_LOG.ordinal()] = "swl";
        ALGORITHM_SUFFIX[Algorithm.SLIDING_WINDOW_COUNTER.ordinal()] = "swc";
        ALGORITHM_SUFFIX[Algorithm.TOKEN_BUCKET.ordinal()] = "tb";
        ALGORITHM_SUFFIX[Algorithm.GCRA.ordinal()] = "gcra";
    }

    private final Builder settings;
    private final boolean ownsClient;
    private final String keyPrefix;
    private final TimeSource timeSource;
    private final ReentrantLock connecting = new ReentrantLock();
    private volatile UnifiedJedis redis;
    private volatile long failedConnects;
    private volatile boolean closed;
    private final DenialCache denials;
    private final long ttlPaddingMillis;

    private static final String MODE_ACQUIRE = "";
    private static final String MODE_PEEK = "peek";
    private static final String MODE_TIMED = "timed";

    private RedisRateLimiter(Builder b) {
        this.settings = b.copy();
        this.ownsClient = b.client == null;
        this.redis = b.client;
        this.keyPrefix = b.keyPrefix;
        this.timeSource = b.timeSource;
        this.ttlPaddingMillis = b.ttlPaddingMillis;
        this.denials = b.denialCacheKeys == 0 ? null
                : new DenialCache(b.denialCacheKeys, timeSource == null ? TimeSource.system() : timeSource,
                        timeSource == null);
    }

    /**
     * A builder; set exactly one of {@link Builder#uri(String)}, {@link Builder#clusterNodes(String...)},
     * {@link Builder#sentinel(String, List)} or {@link Builder#client(UnifiedJedis)}.
     *
     * @return a new builder
     */
    public static Builder custom() {
        return new Builder();
    }

    @Override
    public Decision acquire(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        String client = ClientKeys.normalize(key);
        if (denials == null) {
            return call(client, rules, timeSource == null ? 0 : timeSource.nowMicros());
        }
        Decision cached = denials.get(client, rules);
        if (cached != null) {
            return cached;
        }
        long sentAt = denials.now(); // before the call: the round trip must not lengthen a denial
        Decision decision = call(client, rules, sentAt);
        denials.offer(client, rules, sentAt, decision);
        return decision;
    }

    /**
     * The denial the local denial cache holds for this request right now, or null: no cache, no denial held, or its
     * wait is over. Makes no Redis call. The fallback limiter asks this before its circuit breaker, so denials served
     * locally neither wait for nor count as Redis calls.
     *
     * @param key   the client key, as given to {@link #acquire(String, List)}
     * @param rules the rules, as given to {@link #acquire(String, List)}
     * @return the cached denial, or null
     */
    public Decision cachedDenial(String key, List<RateLimitRule> rules) {
        if (denials == null) {
            return null;
        }
        ClientKeys.checkRules(rules);
        return denials.get(ClientKeys.normalize(key), rules);
    }

    /** Denials held by the denial cache (tests); 0 without one. */
    long cachedDenials() {
        return denials == null ? 0 : denials.size();
    }

    /** One script call; {@code now} is the time sent to the script when the limiter has its own time source. */
    private Decision call(String client, List<RateLimitRule> rules, long now) {
        String hashTag = hashTag(client);
        int n = rules.size();
        List<String> keys = new ArrayList<>(n);
        List<String> args = new ArrayList<>(2 + 4 * n);
        args.add(clock(now));
        args.add(MODE_ACQUIRE);
        for (RateLimitRule rule : rules) {
            keys.add(hashTag + counter(rule));
            addRule(args, rule);
        }
        return toDecision(script(RateLimitScript.of(rules), keys, args), rules, 4);
    }

    /** ARGV[1]: empty for the Redis server's clock, else the caller's time (and the tests' TTL padding). */
    private String clock(long now) {
        if (timeSource == null) {
            return "";
        }
        return ttlPaddingMillis == 0 ? Long.toString(now) : now + "/" + ttlPaddingMillis;
    }

    private static void addRule(List<String> args, RateLimitRule rule) {
        args.add(RateLimitScript.index(rule.algorithm()));
        args.add(Long.toString(rule.limit()));
        args.add(Long.toString(rule.windowMicros()));
        args.add(Integer.toString(rule.cost()));
    }

    private String hashTag(String client) {
        return keyPrefix + ":{" + client + "}:";
    }

    /** The part of a state key after the client's hash tag: the counter's identity. */
    private static String counter(RateLimitRule rule) {
        return rule.name() + ':' + ALGORITHM_SUFFIX[rule.algorithm().ordinal()] + ':' + rule.limit() + ':'
                + rule.window().toMillis();
    }

    /** Runs a script, once more on a new connection if pooled connections outlived a Redis restart or failover. */
    private Object script(RateLimitScript script, List<String> keys, List<String> args) {
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

    @Override
    public Decision acquire(List<KeyedRule> rules) {
        ClientKeys.checkKeyedRules(rules);
        List<String> clients = new ArrayList<>(rules.size());
        for (KeyedRule r : rules) {
            clients.add(ClientKeys.normalize(r.key()));
        }
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < clients.size(); i++) {
            groups.computeIfAbsent(clients.get(i), k -> new ArrayList<>()).add(i);
        }
        List<RateLimitRule> all = new ArrayList<>(rules.size());
        for (KeyedRule r : rules) {
            all.add(r.rule());
        }
        long now = timeSource == null ? 0 : timeSource.nowMicros();
        if (groups.size() == 1) {
            return call(clients.get(0), all, now);
        }
        UnifiedJedis jedis = client();
        if (!(jedis instanceof RedisClient || jedis instanceof RedisSentinelClient) && spansSlots(groups.keySet())) {
            // a cluster (or a client this limiter cannot tell from one): no script may touch keys of several slots
            return new ClusterAcquisition(clients, all, groups, now).run();
        }
        // one Redis (single or Sentinel-managed): every key in one script call, atomic
        List<String> keys = new ArrayList<>(rules.size());
        List<String> args = new ArrayList<>(2 + 4 * rules.size());
        args.add(clock(now));
        args.add(MODE_ACQUIRE);
        for (int i = 0; i < rules.size(); i++) {
            keys.add(hashTag(clients.get(i)) + counter(all.get(i)));
            addRule(args, all.get(i));
        }
        return toDecision(script(RateLimitScript.of(all), keys, args), all, 4);
    }

    private static boolean spansSlots(Set<String> clients) {
        int slot = -1;
        for (String client : clients) {
            int s = JedisClusterCRC16.getSlot(client);
            if (slot >= 0 && s != slot) {
                return true;
            }
            slot = s;
        }
        return false;
    }

    /**
     * A request whose rules count against keys in different Redis Cluster slots, which no one script may touch
     * together: every group of rules sharing a slot is first checked without taking anything ("peek"); if one
     * denies, the request is denied and nothing was taken. Otherwise the groups are acquired one after another,
     * each atomically; if one now denies (another request took its permits between the check and the acquisition),
     * the groups already acquired get their permits back ({@code RateLimiterRefund.lua}) and the request is denied.
     * No rule ever admits more than its limit; docs/algorithms.md states what the refund restores exactly.
     */
    private final class ClusterAcquisition {
        private final List<String> clients;
        private final List<RateLimitRule> rules;
        private final List<List<Integer>> groups;
        private final long now;
        private final LimitState[] states;

        ClusterAcquisition(List<String> clients, List<RateLimitRule> rules, Map<String, List<Integer>> groups,
                long now) {
            this.clients = clients;
            this.rules = rules;
            this.groups = new ArrayList<>(groups.values());
            this.now = now;
            this.states = new LimitState[rules.size()];
        }

        Decision run() {
            boolean allPass = true;
            for (List<Integer> group : groups) {
                allPass &= call(group, MODE_PEEK) != null;
            }
            if (!allPass) {
                return decision();
            }
            List<long[]> taken = new ArrayList<>(groups.size());
            for (List<Integer> group : groups) {
                long[] times = call(group, MODE_TIMED);
                if (times == null) {
                    refund(taken);
                    for (List<Integer> other : groups) {
                        if (other != group) {
                            call(other, MODE_PEEK); // report each rule as it stands after the refund
                        }
                    }
                    return decision();
                }
                taken.add(times);
            }
            return decision();
        }

        /**
         * One script call for one group, filling its rules' states.
         *
         * @return null when the group denies; else the effective time of each rule's decision (mode timed) or an
         *         empty array (peek)
         */
        private long[] call(List<Integer> group, String mode) {
            List<String> keys = new ArrayList<>(group.size());
            List<String> args = new ArrayList<>(2 + 4 * group.size());
            List<RateLimitRule> groupRules = new ArrayList<>(group.size());
            args.add(clock(now));
            args.add(mode);
            for (int i : group) {
                RateLimitRule rule = rules.get(i);
                keys.add(hashTag(clients.get(i)) + counter(rule));
                addRule(args, rule);
                groupRules.add(rule);
            }
            List<?> reply = (List<?>) script(RateLimitScript.of(groupRules), keys, args);
            boolean timed = mode.equals(MODE_TIMED);
            int width = timed ? 5 : 4;
            Decision d = toDecision(reply, groupRules, width);
            List<LimitState> limits = d.limits();
            for (int j = 0; j < group.size(); j++) {
                states[group.get(j)] = limits.get(j);
            }
            if (!d.allowed()) {
                return null;
            }
            long[] times = new long[timed ? group.size() : 0];
            for (int j = 0; j < times.length; j++) {
                times[j] = asLong(reply.get(width * j + 4));
            }
            return times;
        }

        /** Gives back what the acquired groups took, one script call per group (each group is one slot). */
        private void refund(List<long[]> taken) {
            for (int g = 0; g < taken.size(); g++) {
                List<Integer> group = groups.get(g);
                long[] times = taken.get(g);
                List<String> keys = new ArrayList<>(group.size());
                List<String> args = new ArrayList<>(2 + 6 * group.size());
                args.add(clock(now));
                args.add("");
                for (int j = 0; j < group.size(); j++) {
                    int i = group.get(j);
                    RateLimitRule rule = rules.get(i);
                    keys.add(hashTag(clients.get(i)) + counter(rule));
                    addRule(args, rule);
                    args.add(Long.toString(times[j]));
                    // the log's count before the commit: what the commit left, seen from the limit
                    args.add(Long.toString(rule.limit() - rule.cost() - states[i].remaining()));
                }
                script(RateLimitScript.REFUND, keys, args);
            }
        }

        private Decision decision() {
            return Decision.of(Store.REDIS, Arrays.asList(states));
        }
    }

    /** The Redis client, connecting it first if this limiter creates its own and has not connected yet. */
    private UnifiedJedis client() {
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
                throw new JedisConnectionException("cannot connect to " + settings.describe()
                        + " (a concurrent attempt just failed)");
            }
            try {
                redis = settings.createClient();
                return redis;
            } catch (RuntimeException e) {
                failedConnects++;
                throw e;
            }
        } finally {
            connecting.unlock();
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

    /** The decision in a script's reply: {@code width} numbers per rule, the first four as in the script's header. */
    private static Decision toDecision(Object reply, List<RateLimitRule> rules, int width) {
        List<?> values = (List<?>) reply;
        if (values.size() != width * rules.size()) {
            throw new IllegalStateException("unexpected reply from the rate-limit script: " + values);
        }
        if (rules.size() == 1) {
            return Decision.of(Store.REDIS, limitState(values, rules.get(0), 0)); // no list for the common case
        }
        List<LimitState> limits = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            limits.add(limitState(values, rules.get(i), width * i));
        }
        return Decision.of(Store.REDIS, limits);
    }

    /** A rule's four values in the script's reply from {@code at} on (allowed, remaining, reset, retry-after). */
    private static LimitState limitState(List<?> values, RateLimitRule rule, int at) {
        return new LimitState(rule, asLong(values.get(at)) == 1, asLong(values.get(at + 1)),
                asLong(values.get(at + 2)), asLong(values.get(at + 3)));
    }

    private static long asLong(Object value) {
        return ((Number) value).longValue();
    }

    /**
     * The Redis key holding one rule's state for one client key (for tests and operators).
     *
     * @param key  the client key, as passed to {@link #acquire(String, RateLimitRule)}
     * @param rule the rule
     * @return {@code <prefix>:{<store form of the key>}:<rule name>:<algorithm suffix>:<limit>:<window in ms>}
     * @throws IllegalArgumentException when the key is null or empty
     */
    public String stateKey(String key, RateLimitRule rule) {
        return hashTag(ClientKeys.normalize(key)) + counter(rule);
    }

    /** Closes the Redis client if this limiter created it; a client passed in stays open. */

    @Override
    public void close() {
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

    /** Where this limiter's Redis is, for logs: the URL (password masked), the cluster seeds or the sentinels. */
    @Override
    public String toString() {
        return "RedisRateLimiter[" + settings.describe() + ", keyPrefix=" + keyPrefix + "]";
    }

    /**
     * Builds a {@link RedisRateLimiter}; values are checked when set. Exactly one topology: {@link #uri(String)},
     * {@link #clusterNodes(String...)}, {@link #sentinel(String, List)} or an existing {@link #client(UnifiedJedis)}.
     * Credentials of a single Redis go in its URL; those of cluster and Sentinel data nodes are set with
     * {@link #credentials(String, String)} and {@link #ssl(boolean)}, and the sentinels' own, which may differ, with
     * {@link #sentinelCredentials(String, String)}.
     */
    public static final class Builder {
        private UnifiedJedis client;
        private URI uri;
        private Set<HostAndPort> clusterNodes;
        private String sentinelMaster;
        private Set<HostAndPort> sentinels;
        private String user;
        private String password;
        private boolean ssl;
        private String sentinelUser;
        private String sentinelPassword;
        private Duration timeout = Duration.ofMillis(100);
        private int maxConnections = 64;
        private String keyPrefix = "rl";
        private TimeSource timeSource;
        private long denialCacheKeys;
        private long ttlPaddingMillis;

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.client = client;
            b.uri = uri;
            b.clusterNodes = clusterNodes;
            b.sentinelMaster = sentinelMaster;
            b.sentinels = sentinels;
            b.user = user;
            b.password = password;
            b.ssl = ssl;
            b.sentinelUser = sentinelUser;
            b.sentinelPassword = sentinelPassword;
            b.timeout = timeout;
            b.maxConnections = maxConnections;
            b.keyPrefix = keyPrefix;
            b.timeSource = timeSource;
            b.ttlPaddingMillis = ttlPaddingMillis;
            return b;
        }

        /**
         * Uses an existing Jedis client (single, Sentinel or Cluster); the limiter does not close it.
         *
         * @param client the client; its timeouts and pool are the application's
         * @return this builder
         * @throws IllegalArgumentException when {@code client} is null
         */
        public Builder client(UnifiedJedis client) {
            if (client == null) {
                throw new IllegalArgumentException("client must not be null");
            }
            this.client = client;
            return this;
        }

        /**
         * A single Redis at {@code redis://[user:password@]host:port[/db]} or {@code rediss://…} (TLS); the limiter
         * owns and closes that client. The password never appears in messages.
         *
         * @param redisUri the Redis URL; surrounding blanks are ignored
         * @return this builder
         * @throws IllegalArgumentException when the URL is null, malformed or has no host
         */
        public Builder uri(String redisUri) {
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
            this.uri = parsed;
            return this;
        }

        /**
         * A Redis Cluster, reached through these seed nodes ({@code host:port}; a few suffice, the client discovers
         * the others and follows MOVED/ASK redirections and failovers). The limiter owns and closes that client.
         *
         * @param hostAndPorts the seed nodes as {@code host:port}, at least one
         * @return this builder
         * @throws IllegalArgumentException when none is given or an address is not {@code host:port}
         */
        public Builder clusterNodes(String... hostAndPorts) {
            return clusterNodes(hostAndPorts == null ? null : List.of(hostAndPorts));
        }

        /**
         * {@link #clusterNodes(String...)} from a list.
         *
         * @param hostAndPorts the seed nodes as {@code host:port}, at least one
         * @return this builder
         * @throws IllegalArgumentException when the list is empty or an address is not {@code host:port}
         */
        public Builder clusterNodes(List<String> hostAndPorts) {
            this.clusterNodes = addresses("clusterNodes", hostAndPorts);
            return this;
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
        public Builder sentinel(String masterName, List<String> sentinels) {
            if (masterName == null || masterName.isBlank() || masterName.chars().anyMatch(c -> c <= 0x20)) {
                throw new IllegalArgumentException("sentinel master name must be a non-blank name without spaces, "
                        + "was '" + masterName + "'");
            }
            this.sentinels = addresses("sentinels", sentinels);
            this.sentinelMaster = masterName;
            return this;
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

        /**
         * User (null for the {@code default} user) and password of the cluster or Sentinel-managed data nodes. A
         * single Redis takes them from its URL instead. The password never appears in messages.
         *
         * @param user     the data nodes' user, or null for the {@code default} user
         * @param password the data nodes' password, not empty
         * @return this builder
         * @throws IllegalArgumentException when the password is empty or the user name is blank or has spaces
         */
        public Builder credentials(String user, String password) {
            checkCredentials("", user, password);
            this.user = user;
            this.password = password;
            return this;
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
        public Builder sentinelCredentials(String user, String password) {
            checkCredentials("sentinel ", user, password);
            this.sentinelUser = user;
            this.sentinelPassword = password;
            return this;
        }

        /**
         * TLS to the cluster nodes, or to the sentinels and the data nodes, with the JVM's trust store; false unless
         * set. A single Redis uses TLS with a {@code rediss://} URL instead.
         *
         * @param ssl whether to use TLS
         * @return this builder
         */
        public Builder ssl(boolean ssl) {
            this.ssl = ssl;
            return this;
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
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > 60_000) {
                throw new IllegalArgumentException("timeout must be between 1 ms and 60 s, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Pool size of a client the limiter creates (per node in a cluster); 64 unless set.
         *
         * @param maxConnections at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code maxConnections} is less than 1
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * The first part of every key; {@code rl} unless set. Lets several applications share one Redis.
         *
         * @param keyPrefix 1 to 64 visible ASCII characters without braces
         * @return this builder
         * @throws IllegalArgumentException when {@code keyPrefix} is null, empty, too long or has other characters
         */
        public Builder keyPrefix(String keyPrefix) {
            if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.length() > 64
                    || !keyPrefix.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '{' && c != '}')) {
                throw new IllegalArgumentException("keyPrefix '" + keyPrefix
                        + "' must be 1 to 64 visible ASCII characters without braces");
            }
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * Sends this clock's time with every call instead of reading the Redis server's {@code TIME}. For
         * deterministic tests: in production, instances with skewed clocks would disagree. Key TTLs still run on
         * Redis's own clock, so a test should not rely on state whose TTL (at least 1 ms) passes in real time.
         *
         * @param timeSource the clock; null (the default) for the Redis server's clock
         * @return this builder
         */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = timeSource;
            return this;
        }

        /**
         * Tests only, with {@link #timeSource(TimeSource)}: adds {@code padding} to every key's TTL, so keys written
         * on a controlled clock do not expire in real time while the test's clock stands still. The test then
         * expires them itself when its clock passes their TTL.
         *
         * @param padding added to each TTL; zero (the default) for none
         * @return this builder
         */
        Builder ttlPadding(Duration padding) {
            this.ttlPaddingMillis = padding.toMillis();
            return this;
        }

        /**
         * Keeps Redis's denials locally, for at most {@code maximumKeys} requests (client key and exact rules with
         * their costs): until a denial's retry-after, the same request is denied without a Redis call. Only
         * denials whose wait is certain are kept (see {@code docs/failure-behaviour.md}, "Local denial cache"). 0, the
         * default, turns it off: the cache assumes nothing else resets a counter meanwhile (an operator's
         * {@code DEL} or {@code FLUSHALL}, a Redis restart without persistence, another rule of the same name with a
         * different limit or window), which Redis alone cannot promise.
         *
         * @param maximumKeys the most denials kept, 0 (off) or more
         * @return this builder
         * @throws IllegalArgumentException when {@code maximumKeys} is negative
         */
        public Builder denialCache(long maximumKeys) {
            if (maximumKeys < 0) {
                throw new IllegalArgumentException("denial cache size must be 0 (off) or more, was " + maximumKeys);
            }
            this.denialCacheKeys = maximumKeys;
            return this;
        }

        /**
         * The limiter. Nothing connects yet: the client the limiter creates connects on the first call.
         *
         * @throws IllegalStateException unless exactly one topology is set, or when credentials do not fit it
         * @return a new limiter; thread-safe
         */
        public RedisRateLimiter build() {
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
                throw new IllegalStateException("set exactly one of uri(…), clusterNodes(…), sentinel(…) or client(…)"
                        + (set.isEmpty() ? "" : "; set: " + String.join(", ", set)));
            }
            if (client != null && (password != null || ssl || sentinelPassword != null)) {
                throw new IllegalStateException("credentials(…), sentinelCredentials(…) and ssl(…) configure a client "
                        + "the limiter creates; a client(…) passed in brings its own");
            }
            if (uri != null && (password != null || ssl)) {
                throw new IllegalStateException("a single Redis takes its credentials and TLS from the URL "
                        + "(redis://user:password@host:port, rediss://…), not from credentials(…) or ssl(…)");
            }
            if (sentinelPassword != null && sentinels == null) {
                throw new IllegalStateException("sentinelCredentials(…) needs sentinel(…)");
            }
            return new RedisRateLimiter(this);
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
            // are dropped by the retry in call(), so the limiter starts no background thread at all.
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
            return java.util.Collections.unmodifiableSet(parsed);
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
}
