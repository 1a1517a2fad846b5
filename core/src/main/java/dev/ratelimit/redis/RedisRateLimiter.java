package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.internal.DenialCachingRateLimiter;
import dev.ratelimit.internal.DenialInvalidations;
import dev.ratelimit.internal.Operations;
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
 * script once more (on whichever node serves the keys). Runs on a single Redis
 * ({@link Builder Builder}{@code .uri(String)}), a Redis Cluster
 * ({@link Builder Builder}{@code .clusterNodes(String...)}), a Sentinel-managed master
 * ({@link Builder Builder}{@code .sentinel(String, List)}) or any Jedis 8 {@link UnifiedJedis} client; in a cluster
 * all keys of one request share a hash tag, hence one slot.
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
public final class RedisRateLimiter implements RateLimiter, DenialInvalidations {

    /**
     * The connect and read timeout of Redis calls unless {@link Builder Builder}{@code .timeout(Duration)} sets
     * another.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    /**
     * The pool size (per node in a cluster) unless {@link Builder Builder}{@code .maxConnections(int)} sets another.
     */
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
    /** The channel reset, refund and block publish a client key on: {@code <key prefix>:invalidate}. */
    private final String channel;
    private final InvalidationSubscriber invalidations;

    static final String MODE_ACQUIRE = "";
    static final String MODE_PEEK = "peek";
    static final String MODE_CHECK = "check";
    static final String MODE_TIMED = "timed";

    private RedisRateLimiter(Builder b) {
        this.connection = new RedisConnection(b.topology);
        this.keyPrefix = b.keyPrefix;
        this.timeSource = b.timeSource;
        this.ttlPaddingMillis = b.ttlPaddingMillis;
        this.channel = keyPrefix + ":invalidate";
        this.invalidations = new InvalidationSubscriber(connection, channel);
        this.denials = b.denialCacheKeys == 0 ? null
                : new DenialCachingRateLimiter(new Uncached(), b.denialCacheKeys, timeSource);
        if (denials != null) {
            invalidations.add(denials);
        }
    }

    /**
     * A builder; set exactly one of its {@code uri(String)}, {@code clusterNodes(String...)},
     * {@code sentinel(String, List)} or {@code client(UnifiedJedis)} (see {@link Builder}).
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
        return call(ClientKeys.normalize(key), rules, now(), MODE_ACQUIRE);
    }

    /** One script call in mode {@code peek}: every rule checked, nothing taken, nothing blocked. */
    @Override
    public Decision peek(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        return call(ClientKeys.normalize(key), rules, now(), MODE_PEEK);
    }

    /** One script call: {@code DEL} of the state key; publishes the client key for the denial caches. */
    @Override
    public void reset(String key, RateLimitRule rule) {
        operate(Operations.checkRule(key, rule), rule, "reset", 0);
    }

    /** One script call: the state replaced by a block; publishes the client key for the denial caches. */
    @Override
    public void block(String key, RateLimitRule rule, Duration duration) {
        long micros = Operations.blockMicros(duration);
        operate(Operations.checkRule(key, rule), rule, "block", micros);
    }

    /** One script call ({@code RateLimiterOperations.lua}); publishes the client key for the denial caches. */
    @Override
    public void refund(String key, RateLimitRule rule, long permits) {
        long amount = Operations.refundPermits(permits);
        operate(Operations.checkRule(key, rule), rule, "refund", amount);
    }

    /** One call of the operations script on {@code rule}'s state for {@code key}; then this instance's cache drops it. */
    private void operate(String key, RateLimitRule rule, String operation, long amount) {
        String client = ClientKeys.normalize(key);
        List<String> args = List.of(clock(now()), operation, RateLimitScript.index(rule.algorithm()),
                Long.toString(rule.counterLimit()), Long.toString(rule.counterWindowMicros()), Long.toString(amount),
                channel, client);
        try {
            connection.script(RateLimitScript.OPERATIONS, List.of(hashTag(client) + counter(rule)), args);
        } finally {
            if (denials != null) {
                denials.invalidateStoreForm(client); // at once here; the message reaches the other instances
            }
        }
    }

    /**
     * Internal: makes {@code cache}, a denial cache in front of this limiter (the fallback limiter's), drop a client's
     * denials when any instance on this Redis and key prefix resets, refunds or blocks it (Redis pub/sub, one daemon
     * thread and one connection per limiter, from the first cache until {@link #close()}).
     */
    @Override
    public void invalidateDenialsOf(DenialCachingRateLimiter cache) {
        invalidations.add(cache);
    }

    /** This limiter without its denial cache: what the cache wraps (it has checked the rules). */
    private final class Uncached implements RateLimiter {
        @Override
        public Decision acquire(String key, List<RateLimitRule> rules) {
            return call(ClientKeys.normalize(key), rules, now(), MODE_ACQUIRE);
        }

        @Override
        public Decision acquire(List<KeyedRule> rules) {
            return RedisRateLimiter.this.acquire(rules);
        }
    }

    private long now() {
        return timeSource == null ? 0 : timeSource.nowMicros();
    }

    /** A denial this limiter's own cache holds for this request, or null (tests). */
    Decision cachedDenial(String key, List<RateLimitRule> rules) {
        return denials == null ? null : denials.cachedDenial(key, rules);
    }

    /** Denials held by the denial cache (tests); 0 without one. */
    long cachedDenials() {
        return denials == null ? 0 : denials.cachedDenials();
    }

    /** One script call; {@code now} is the time sent to the script when the limiter has its own time source. */
    private Decision call(String client, List<RateLimitRule> rules, long now, String mode) {
        String hashTag = hashTag(client);
        int n = rules.size();
        List<String> keys = new ArrayList<>(n);
        List<String> args = new ArrayList<>(2 + 4 * n);
        args.add(clock(now));
        args.add(mode);
        for (RateLimitRule rule : rules) {
            keys.add(hashTag + counter(rule));
            addRule(args, rule);
        }
        return ScriptReply.toDecision(connection.script(RateLimitScript.of(rules), keys, args), rules, 5);
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
        if (rule.counterLimit() == rule.limit() && rule.counterWindowMicros() == rule.windowMicros()) {
            args.add(Long.toString(rule.limit()));
        } else { // a changed rule on another rule's counter (RateLimiter.lua)
            args.add(rule.limit() + ":" + rule.counterLimit() + ":" + rule.counterWindowMicros());
        }
        args.add(Long.toString(rule.windowMicros()));
        Duration penalty = rule.blockAfterDenial();
        args.add(penalty.isZero() ? Integer.toString(rule.cost()) // a rule that blocks after a denial: RateLimiter.lua
                : rule.cost() + ":" + penalty.toNanos() / 1_000L);
    }

    String hashTag(String client) {
        return keyPrefix + ":{" + client + "}:";
    }

    /** The part of a state key after the client's hash tag: the counter's identity. */
    static String counter(RateLimitRule rule) {
        return rule.name() + ':' + ALGORITHM_SUFFIX[rule.algorithm().ordinal()] + ':' + rule.counterLimit() + ':'
                + rule.counterWindowMicros() / 1_000L;
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
            return call(clients.get(0), all, now, MODE_ACQUIRE);
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
        return ScriptReply.toDecision(connection.script(RateLimitScript.of(all), keys, args), all, 5);
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
     * The Redis key holding one rule's state for one client key (for tests and operators).
     *
     * @param key  the client key, as passed to {@link #acquire(String, RateLimitRule)}
     * @param rule the rule
     * @return {@code <prefix>:{<store form of the key>}:<rule name>:<algorithm suffix>:<counter limit>:<counter window in ms>}
     * @throws IllegalArgumentException when the key is null or empty
     */
    String stateKey(String key, RateLimitRule rule) {
        return hashTag(ClientKeys.normalize(key)) + counter(rule);
    }

    /** Closes the Redis client if this limiter created it; a client passed in stays open. */
    @Override
    public void close() {
        invalidations.close();
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
    public static final class Builder extends RedisConnectionOptions<Builder> {
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private TimeSource timeSource;
        private long denialCacheKeys;
        private long ttlPaddingMillis;

        private Builder() {
        }

        @Override
        Builder self() {
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
         * different limit or window), which Redis alone cannot promise. Under a {@code FallbackRateLimiter}, set the
         * cache on the fallback's builder instead ({@code FallbackRateLimiter.Builder#denialCache(long)}), which
         * consults it before its circuit breaker; a cache set here sits behind the breaker, and its hits count as
         * Redis calls.
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
