package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.internal.DenialCachingRateLimiter;
import dev.ratelimit.internal.LocalDenials;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

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
public final class RedisRateLimiter implements RateLimiter, LocalDenials {

    /** The connect and read timeout of Redis calls unless {@link Builder#timeout(Duration)} sets another. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    /** The pool size (per node in a cluster) unless {@link Builder#maxConnections(int)} sets another. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    /** The first part of every key unless {@link Builder#keyPrefix(String)} sets another. */
    public static final String DEFAULT_KEY_PREFIX = "rl";


    private static final String[] ALGORITHM_SUFFIX = new String[Algorithm.values().length];

    static {
        ALGORITHM_SUFFIX[Algorithm.FIXED_WINDOW.ordinal()] = "fw";
        ALGORITHM_SUFFIX[Algorithm.SLIDING_WINDOW_LOG.ordinal()] = "swl";
        ALGORITHM_SUFFIX[Algorithm.SLIDING_WINDOW_COUNTER.ordinal()] = "swc";
        ALGORITHM_SUFFIX[Algorithm.TOKEN_BUCKET.ordinal()] = "tb";
        ALGORITHM_SUFFIX[Algorithm.GCRA.ordinal()] = "gcra";
    }

    private final RedisConnection connection;
    private final String keyPrefix;
    private final TimeSource timeSource;
    private final DenialCachingRateLimiter denials;
    private final long ttlPaddingMillis;

    static final String MODE_ACQUIRE = "";
    static final String MODE_PEEK = "peek";
    static final String MODE_TIMED = "timed";

    private RedisRateLimiter(Builder b) {
        this.connection = new RedisConnection(b.topology);
        this.keyPrefix = b.keyPrefix;
        this.timeSource = b.timeSource;
        this.ttlPaddingMillis = b.ttlPaddingMillis;
        this.denials = b.denialCacheKeys == 0 ? null
                : new DenialCachingRateLimiter(new Uncached(), b.denialCacheKeys, timeSource);
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
        if (denials != null) {
            return denials.acquire(key, rules); // validates, then calls Uncached unless a denial is held
        }
        ClientKeys.checkRules(rules);
        return call(ClientKeys.normalize(key), rules, now());
    }

    /** This limiter without its denial cache: what the cache wraps (it has checked the rules). */
    private final class Uncached implements RateLimiter {
        @Override
        public Decision acquire(String key, List<RateLimitRule> rules) {
            return call(ClientKeys.normalize(key), rules, now());
        }

        @Override
        public Decision acquire(List<KeyedRule> rules) {
            return RedisRateLimiter.this.acquire(rules);
        }
    }

    private long now() {
        return timeSource == null ? 0 : timeSource.nowMicros();
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
    @Override
    public Decision cachedDenial(String key, List<RateLimitRule> rules) {
        return denials == null ? null : denials.cachedDenial(key, rules);
    }

    /** Denials held by the denial cache (tests); 0 without one. */
    long cachedDenials() {
        return denials == null ? 0 : denials.cachedDenials();
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
        return toDecision(connection.script(RateLimitScript.of(rules), keys, args), rules, 5);
    }

    /** ARGV[1]: empty for the Redis server's clock, else the caller's time (and the tests' TTL padding). */
    String clock(long now) {
        if (timeSource == null) {
            return "";
        }
        return ttlPaddingMillis == 0 ? Long.toString(now) : now + "/" + ttlPaddingMillis;
    }

    static void addRule(List<String> args, RateLimitRule rule) {
        args.add(RateLimitScript.index(rule.algorithm()));
        args.add(Long.toString(rule.limit()));
        args.add(Long.toString(rule.windowMicros()));
        args.add(Integer.toString(rule.cost()));
    }

    String hashTag(String client) {
        return keyPrefix + ":{" + client + "}:";
    }

    /** The part of a state key after the client's hash tag: the counter's identity. */
    static String counter(RateLimitRule rule) {
        return rule.name() + ':' + ALGORITHM_SUFFIX[rule.algorithm().ordinal()] + ':' + rule.limit() + ':'
                + rule.window().toMillis();
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
        long now = now();
        if (groups.size() == 1) {
            return call(clients.get(0), all, now);
        }
        if (!connection.singleNode() && spansSlots(groups.keySet())) {
            // a cluster (or a client this limiter cannot tell from one): no script may touch keys of several slots
            return new ClusterAcquisition(this, connection, clients, all, groups, now).run();
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
        return toDecision(connection.script(RateLimitScript.of(all), keys, args), all, 5);
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

    /** The decision in a script's reply: {@code width} numbers per rule, the first five as in the script's header. */
    static Decision toDecision(Object reply, List<RateLimitRule> rules, int width) {
        List<?> values = (List<?>) reply;
        if (values.size() != width * rules.size()) {
            throw new IllegalStateException("unexpected reply from the rate-limit script: " + values);
        }
        if (rules.size() == 1) {
            return Decision.of(Store.REDIS, limitState(values, rules.get(0), 0)); // no list for the common case
        }
        List<RuleOutcome> limits = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            limits.add(limitState(values, rules.get(i), width * i));
        }
        return Decision.of(Store.REDIS, limits);
    }

    /**
     * A rule's five values in the script's reply from {@code at} on (allowed, remaining, reset, retry-after, and the
     * time until more than the remaining permits are available).
     */
    private static RuleOutcome limitState(List<?> values, RateLimitRule rule, int at) {
        return new RuleOutcome(rule, asLong(values.get(at)) == 1, asLong(values.get(at + 1)),
                asLong(values.get(at + 2)), asLong(values.get(at + 3)), asLong(values.get(at + 4)));
    }

    static long asLong(Object value) {
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
    String stateKey(String key, RateLimitRule rule) {
        return hashTag(ClientKeys.normalize(key)) + counter(rule);
    }

    /** Closes the Redis client if this limiter created it; a client passed in stays open. */
    @Override
    public void close() {
        connection.close();
    }

    /** Where this limiter's Redis is, for logs: the URL (password masked), the cluster seeds or the sentinels. */
    @Override
    public String toString() {
        return "RedisRateLimiter[" + connection.describe() + ", keyPrefix=" + keyPrefix + "]";
    }

    /**
     * Builds a {@link RedisRateLimiter}; values are checked when set. Exactly one topology: {@link #uri(String)},
     * {@link #clusterNodes(String...)}, {@link #sentinel(String, List)} or an existing {@link #client(UnifiedJedis)}.
     * Credentials of a single Redis go in its URL; those of cluster and Sentinel data nodes are set with
     * {@link #credentials(String, String)} and {@link #ssl(boolean)}, and the sentinels' own, which may differ, with
     * {@link #sentinelCredentials(String, String)}.
     */
    public static final class Builder {
        private final RedisConnection.Topology topology = new RedisConnection.Topology();
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private TimeSource timeSource;
        private long denialCacheKeys;
        private long ttlPaddingMillis;

        private Builder() {
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
            topology.client = client;
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
            topology.uri = RedisConnection.parseUri(redisUri);
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
            topology.clusterNodes = RedisConnection.addresses("clusterNodes", hostAndPorts);
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
            topology.sentinels = RedisConnection.addresses("sentinels", sentinels);
            topology.sentinelMaster = masterName;
            return this;
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
            RedisConnection.checkCredentials("", user, password);
            topology.user = user;
            topology.password = password;
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
            RedisConnection.checkCredentials("sentinel ", user, password);
            topology.sentinelUser = user;
            topology.sentinelPassword = password;
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
            topology.ssl = ssl;
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
            topology.timeout = timeout;
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
            topology.maxConnections = maxConnections;
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
            topology.check();
            return new RedisRateLimiter(this);
        }
    }
}
