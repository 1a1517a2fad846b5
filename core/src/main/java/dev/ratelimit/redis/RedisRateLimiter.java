package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * A {@link RateLimiter} whose decisions are made atomically inside Redis, so every instance of a service shares one
 * limit per key. Each request is one EVALSHA of one Lua script (all its rules checked and consumed together, on the
 * Redis server's clock); a NOSCRIPT reply after a Redis restart or {@code SCRIPT FLUSH} is answered by sending the
 * script once more. Works on any Jedis 8 {@link UnifiedJedis} client: single Redis, Sentinel or Cluster (all keys of
 * one request share a hash tag).
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

    private final UnifiedJedis redis;
    private final boolean ownsClient;
    private final String keyPrefix;
    private final TimeSource timeSource;
    private final DenialCache denials;

    private RedisRateLimiter(Builder b) {
        this.ownsClient = b.client == null;
        this.redis = ownsClient ? b.createClient() : b.client;
        this.keyPrefix = b.keyPrefix;
        this.timeSource = b.timeSource;
        this.denials = b.denialCacheKeys == 0 ? null
                : new DenialCache(b.denialCacheKeys, timeSource == null ? TimeSource.system() : timeSource,
                        timeSource == null);
    }

    /** A builder; set either {@link Builder#client(UnifiedJedis)} or {@link Builder#uri(String)}. */
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
        String hashTag = keyPrefix + ":{" + client + "}:";
        int n = rules.size();
        List<String> keys = new ArrayList<>(n);
        List<String> args = new ArrayList<>(2 + 4 * n);
        args.add(timeSource == null ? "" : Long.toString(now));
        args.add(Integer.toString(n));
        for (RateLimitRule rule : rules) {
            keys.add(hashTag + rule.name() + ':' + ALGORITHM_SUFFIX[rule.algorithm().ordinal()]);
            args.add(RateLimitScript.index(rule.algorithm()));
            args.add(Long.toString(rule.limit()));
            args.add(Long.toString(rule.windowMicros()));
            args.add(Integer.toString(rule.cost()));
        }
        Object reply;
        try {
            reply = run(keys, args);
        } catch (JedisConnectionException e) {
            if (!isStaleConnection(e)) {
                throw e;
            }
            // pooled connections outlived a Redis restart: drop the idle ones and try once more on a fresh one
            if (redis instanceof RedisClient) {
                ((RedisClient) redis).getPool().clear();
            }
            reply = run(keys, args);
        }
        return toDecision(reply, rules);
    }

    private Object run(List<String> keys, List<String> args) {
        try {
            return redis.evalsha(RateLimitScript.SHA1, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(RateLimitScript.TEXT, keys, args); // caches the script again on that node
        }
    }

    /** A connection that broke (reset, end of stream), as opposed to a Redis that is down or too slow. */
    private static boolean isStaleConnection(JedisConnectionException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return false;
            }
            if (t instanceof java.net.SocketException
                    || (t.getMessage() != null && t.getMessage().contains("Unexpected end of stream"))) {
                return true;
            }
        }
        return false;
    }

    private static Decision toDecision(Object reply, List<RateLimitRule> rules) {
        List<?> values = (List<?>) reply;
        if (values.size() != 2 + 4 * rules.size()) {
            throw new IllegalStateException("unexpected reply from the rate-limit script: " + values);
        }
        List<LimitState> limits = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            int at = 2 + 4 * i;
            limits.add(new LimitState(rules.get(i), asLong(values.get(at)) == 1, asLong(values.get(at + 1)),
                    asLong(values.get(at + 2)), asLong(values.get(at + 3))));
        }
        return Decision.of(Store.REDIS, limits);
    }

    private static long asLong(Object value) {
        return ((Number) value).longValue();
    }

    /** The Redis key holding one rule's state for one client key (for tests and operators). */
    public String stateKey(String key, RateLimitRule rule) {
        return keyPrefix + ":{" + ClientKeys.normalize(key) + "}:" + rule.name() + ':'
                + ALGORITHM_SUFFIX[rule.algorithm().ordinal()];
    }

    /** Closes the Redis client if this limiter created it from a URI; a client passed in stays open. */
    @Override
    public void close() {
        if (ownsClient) {
            redis.close();
        }
    }

    /** Builds a {@link RedisRateLimiter}; values are checked when set. */
    public static final class Builder {
        private UnifiedJedis client;
        private URI uri;
        private Duration timeout = Duration.ofMillis(100);
        private int maxConnections = 64;
        private String keyPrefix = "rl";
        private TimeSource timeSource;
        private long denialCacheKeys;

        private Builder() {
        }

        /** Uses an existing Jedis client (single, Sentinel or Cluster); the limiter does not close it. */
        public Builder client(UnifiedJedis client) {
            if (client == null) {
                throw new IllegalArgumentException("client must not be null");
            }
            this.client = client;
            return this;
        }

        /**
         * Connects to {@code redis://[user:password@]host:port[/db]} or {@code rediss://…}; the limiter owns and
         * closes that client. The password never appears in messages.
         */
        public Builder uri(String redisUri) {
            URI parsed;
            try {
                parsed = new URI(redisUri == null ? "" : redisUri.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Redis URL '" + masked(redisUri) + "' is not a valid URL");
            }
            if (!JedisURIHelper.isValid(parsed) || parsed.getHost() == null) {
                throw new IllegalArgumentException("Redis URL '" + masked(redisUri)
                        + "' must look like redis://[user:password@]host:port[/db] or rediss://…");
            }
            this.uri = parsed;
            return this;
        }

        /** Connect and read timeout for a client made from a URI; 100 ms unless set, so a stalled Redis fails fast. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > 60_000) {
                throw new IllegalArgumentException("timeout must be between 1 ms and 60 s, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Pool size of a client made from a URI; 64 unless set. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /** The first part of every key; {@code rl} unless set. Visible ASCII without braces, at most 64 chars. */
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
         */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = timeSource;
            return this;
        }

        /**
         * Keeps Redis's denials locally, for at most {@code maximumKeys} requests (client key and exact rules with
         * their costs): until a denial's retry-after, the same request is denied without a Redis call. Only
         * denials whose wait is certain are kept (see {@code docs/failure-behaviour.md}, "Local denial cache"). 0, the
         * default, turns it off: the cache assumes nothing else resets a counter meanwhile (an operator's
         * {@code DEL} or {@code FLUSHALL}, a Redis restart without persistence, another rule of the same name with a
         * different limit or window), which Redis alone cannot promise.
         */
        public Builder denialCache(long maximumKeys) {
            if (maximumKeys < 0) {
                throw new IllegalArgumentException("denial cache size must be 0 (off) or more, was " + maximumKeys);
            }
            this.denialCacheKeys = maximumKeys;
            return this;
        }

        /** The limiter. */
        public RedisRateLimiter build() {
            if ((client == null) == (uri == null)) {
                throw new IllegalStateException("set exactly one of client(…) or uri(…)");
            }
            return new RedisRateLimiter(this);
        }

        private UnifiedJedis createClient() {
            int millis = (int) Math.max(1, timeout.toMillis());
            DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(millis)
                    .socketTimeoutMillis(millis)
                    .clientName("ratelimit");
            if (JedisURIHelper.isRedisSSLScheme(uri)) {
                config.sslOptions(SslOptions.defaults());
            }
            String user = JedisURIHelper.getUser(uri);
            String password = JedisURIHelper.getPassword(uri);
            if (password != null) {
                config.user(user).password(password);
            }
            if (JedisURIHelper.hasDbIndex(uri)) {
                config.database(JedisURIHelper.getDBIndex(uri));
            }
            ConnectionPoolConfig pool = new ConnectionPoolConfig();
            pool.setMaxTotal(maxConnections);
            pool.setMaxIdle(maxConnections);
            pool.setMaxWait(timeout);
            return RedisClient.builder()
                    .hostAndPort(JedisURIHelper.getHostAndPort(uri))
                    .clientConfig(config.build())
                    .poolConfig(pool)
                    .build();
        }

        /** The URL with any password replaced by {@code ***}. */
        static String masked(String redisUri) {
            if (redisUri == null) {
                return "null";
            }
            int scheme = redisUri.indexOf("://");
            int at = redisUri.lastIndexOf('@');
            int colon = scheme < 0 ? -1 : redisUri.indexOf(':', scheme + 3);
            if (scheme < 0 || at < 0 || colon < 0 || colon > at) {
                return redisUri;
            }
            return redisUri.substring(0, colon + 1) + "***" + redisUri.substring(at);
        }
    }
}
