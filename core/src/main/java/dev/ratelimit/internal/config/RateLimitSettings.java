package dev.ratelimit.internal.config;

import dev.ratelimit.internal.http.RequestKeys;
import dev.ratelimit.internal.http.TrustedProxies;
import dev.ratelimit.internal.http.HeaderStyle;

import dev.ratelimit.internal.Durations;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.fallback.FailurePolicy;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.internal.Masking;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import dev.ratelimit.redis.RedisRateLimiter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global settings of the rate limiter, read in one place for both bindings. Each setting has one name, e.g.
 * {@code ratelimit.redis.url}, looked up (highest first) as a system property ({@code -Dratelimit.redis.url=…}), an
 * environment variable (upper case, dots and dashes as underscores: {@code RATELIMIT_REDIS_URL}), a container
 * parameter of that same name (servlet {@code context-param} / {@code init-param}, passed in by the binding), and
 * otherwise its default. Blank values count as unset. Every value is checked when loading: an invalid one fails
 * with an {@link IllegalArgumentException} naming the setting, the value and where it came from (a Redis password
 * is never shown). Immutable. The settings and defaults are listed in {@code docs/configuration.md}.
 */
public final class RateLimitSettings {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimitSettings.class);

    static final String REDIS_URL = "ratelimit.redis.url";
    static final String REDIS_CLUSTER_NODES = "ratelimit.redis.cluster.nodes";
    static final String REDIS_SENTINEL_MASTER = "ratelimit.redis.sentinel.master";
    static final String REDIS_SENTINEL_NODES = "ratelimit.redis.sentinel.nodes";
    static final String REDIS_USER = "ratelimit.redis.user";
    static final String REDIS_PASSWORD = "ratelimit.redis.password";
    static final String REDIS_SSL = "ratelimit.redis.ssl";
    static final String REDIS_SENTINEL_USER = "ratelimit.redis.sentinel.user";
    static final String REDIS_SENTINEL_PASSWORD = "ratelimit.redis.sentinel.password";
    static final String REDIS_TIMEOUT = "ratelimit.redis.timeout";
    static final String REDIS_MAX_CONNECTIONS = "ratelimit.redis.max-connections";
    static final String REDIS_KEY_PREFIX = "ratelimit.redis.key-prefix";
    static final String FALLBACK_POLICY = "ratelimit.fallback.policy";
    static final String FALLBACK_INSTANCE_COUNT = "ratelimit.fallback.instance-count";
    static final String BREAKER_FAILURE_RATE = "ratelimit.breaker.failure-rate-threshold";
    static final String BREAKER_SLOW_CALL_RATE = "ratelimit.breaker.slow-call-rate-threshold";
    static final String BREAKER_SLOW_CALL_DURATION = "ratelimit.breaker.slow-call-duration";
    static final String BREAKER_WAIT_IN_OPEN_STATE = "ratelimit.breaker.wait-in-open-state";
    static final String BREAKER_SLIDING_WINDOW_SIZE = "ratelimit.breaker.sliding-window-size";
    static final String BREAKER_MINIMUM_CALLS = "ratelimit.breaker.minimum-calls";
    static final String BREAKER_HALF_OPEN_CALLS = "ratelimit.breaker.half-open-calls";
    static final String MEMORY_MAXIMUM_KEYS = "ratelimit.memory.maximum-keys";
    static final String DENIAL_CACHE_MAX_KEYS = "ratelimit.denial-cache.max-keys";
    static final String TRUSTED_PROXIES = "ratelimit.trusted-proxies";
    static final String IPV6_PREFIX_LENGTH = "ratelimit.ipv6-prefix-length";
    static final String HEADERS = "ratelimit.headers";
    static final String SHADOW = "ratelimit.shadow";
    static final String COUNT_OPTIONS = "ratelimit.count-options";
    static final String METRICS_ENABLED = "ratelimit.metrics.enabled";

    // the defaults of builders that do not expose their values (kept equal to RedisRateLimiter's and
    // InMemoryRateLimiter's own defaults)
    static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(100);
    static final int DEFAULT_REDIS_MAX_CONNECTIONS = 64;
    static final String DEFAULT_REDIS_KEY_PREFIX = "rl";
    static final long DEFAULT_MAXIMUM_KEYS = 100_000;

    private static final Duration MAX_DURATION = Duration.ofDays(1);
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d{1,9}(\\.\\d{1,9})?");

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
    private final FallbackConfig fallbackConfig;
    private final long maximumKeys;
    private final long denialCacheMaxKeys;
    private final RequestKeys requestKeys;
    private final HeaderStyle headerStyle;
    private final boolean shadow;
    private final boolean countOptions;
    private final boolean metricsEnabled;

    private RateLimitSettings(Lookup in) {
        Setting url = in.get(REDIS_URL);
        this.redisUrl = url == null ? null : checkRedisUrl(url);
        Setting cluster = in.get(REDIS_CLUSTER_NODES);
        this.clusterNodes = cluster == null ? null : hostAndPorts(cluster);
        check(cluster, () -> RedisRateLimiter.custom().clusterNodes(clusterNodes));
        Setting master = in.get(REDIS_SENTINEL_MASTER);
        Setting sentinels = in.get(REDIS_SENTINEL_NODES);
        this.sentinelMaster = master == null ? null : master.value;
        this.sentinelNodes = sentinels == null ? null : hostAndPorts(sentinels);
        if ((master == null) != (sentinels == null)) {
            throw new InvalidSetting("Redis Sentinel needs both " + REDIS_SENTINEL_MASTER + " and "
                    + REDIS_SENTINEL_NODES + "; only " + (master == null ? sentinels : master).name + " is set (from "
                    + (master == null ? sentinels : master).source + ")");
        }
        check(master, () -> RedisRateLimiter.custom().sentinel(sentinelMaster, List.of("127.0.0.1:26379")));
        check(sentinels, () -> RedisRateLimiter.custom().sentinel("master", sentinelNodes));
        List<Setting> topologies = new ArrayList<>();
        for (Setting t : new Setting[] {url, cluster, master}) {
            if (t != null) {
                topologies.add(t);
            }
        }
        if (topologies.size() > 1) {
            throw new InvalidSetting("set only one Redis topology (" + REDIS_URL + ", " + REDIS_CLUSTER_NODES
                    + " or " + REDIS_SENTINEL_MASTER + " with " + REDIS_SENTINEL_NODES + "), found "
                    + topologies.stream().map(t -> t.name + " (from " + t.source + ")")
                            .collect(Collectors.joining(" and ")));
        }
        Setting user = in.get(REDIS_USER);
        Setting password = in.get(REDIS_PASSWORD);
        Setting ssl = in.get(REDIS_SSL);
        Setting sUser = in.get(REDIS_SENTINEL_USER);
        Setting sPassword = in.get(REDIS_SENTINEL_PASSWORD);
        this.redisUser = user == null ? null : user.value;
        this.redisPassword = password == null ? null : password.value;
        this.redisSsl = ssl != null && bool(ssl);
        this.sentinelUser = sUser == null ? null : sUser.value;
        this.sentinelPassword = sPassword == null ? null : sPassword.value;
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
        check(user, () -> RedisRateLimiter.custom().credentials(redisUser, "x"));
        for (Setting sentinelSetting : new Setting[] {sUser, sPassword}) {
            if (sentinelSetting != null && master == null) {
                throw sentinelSetting.invalid("needs " + REDIS_SENTINEL_MASTER + " and " + REDIS_SENTINEL_NODES);
            }
        }
        if (sUser != null && sPassword == null) {
            throw sUser.invalid("needs " + REDIS_SENTINEL_PASSWORD + " as well");
        }
        check(sUser, () -> RedisRateLimiter.custom().sentinelCredentials(sentinelUser, "x"));

        Setting timeout = in.get(REDIS_TIMEOUT);
        this.redisTimeout = timeout == null ? DEFAULT_REDIS_TIMEOUT : duration(timeout);
        check(timeout, () -> RedisRateLimiter.custom().timeout(redisTimeout));
        Setting maxConnections = in.get(REDIS_MAX_CONNECTIONS);
        this.redisMaxConnections = maxConnections == null ? DEFAULT_REDIS_MAX_CONNECTIONS : integer(maxConnections);
        check(maxConnections, () -> RedisRateLimiter.custom().maxConnections(redisMaxConnections));
        Setting keyPrefix = in.get(REDIS_KEY_PREFIX);
        this.redisKeyPrefix = keyPrefix == null ? DEFAULT_REDIS_KEY_PREFIX : keyPrefix.value;
        check(keyPrefix, () -> RedisRateLimiter.custom().keyPrefix(redisKeyPrefix));

        FallbackConfig.Builder fallback = FallbackConfig.custom();
        apply(in.get(FALLBACK_POLICY), s -> fallback.policy(enumValue(s, FailurePolicy.class)));
        apply(in.get(FALLBACK_INSTANCE_COUNT), s -> fallback.instanceCount(integer(s)));
        apply(in.get(BREAKER_FAILURE_RATE), s -> fallback.failureRateThreshold(decimal(s)));
        apply(in.get(BREAKER_SLOW_CALL_RATE), s -> fallback.slowCallRateThreshold(decimal(s)));
        apply(in.get(BREAKER_SLOW_CALL_DURATION), s -> fallback.slowCallDurationThreshold(duration(s)));
        apply(in.get(BREAKER_WAIT_IN_OPEN_STATE), s -> fallback.waitDurationInOpenState(duration(s)));
        apply(in.get(BREAKER_SLIDING_WINDOW_SIZE), s -> fallback.slidingWindowSize(integer(s)));
        apply(in.get(BREAKER_MINIMUM_CALLS), s -> fallback.minimumNumberOfCalls(integer(s)));
        apply(in.get(BREAKER_HALF_OPEN_CALLS), s -> fallback.permittedCallsInHalfOpenState(integer(s)));
        this.fallbackConfig = fallback.build();

        Setting maxKeys = in.get(MEMORY_MAXIMUM_KEYS);
        this.maximumKeys = maxKeys == null ? DEFAULT_MAXIMUM_KEYS : longValue(maxKeys);
        check(maxKeys, () -> InMemoryRateLimiter.custom().maximumKeys(maximumKeys));
        Setting denialKeys = in.get(DENIAL_CACHE_MAX_KEYS);
        this.denialCacheMaxKeys = denialKeys == null ? 0 : longValue(denialKeys);
        check(denialKeys, () -> RedisRateLimiter.custom().denialCache(denialCacheMaxKeys));

        RequestKeys.Builder keys = RequestKeys.custom();
        apply(in.get(TRUSTED_PROXIES), s -> keys.trustedProxies(TrustedProxies.parse(s.value)));
        apply(in.get(IPV6_PREFIX_LENGTH), s -> keys.ipv6PrefixLength(integer(s)));
        this.requestKeys = keys.build();

        Setting headers = in.get(HEADERS);
        this.headerStyle = headers == null ? HeaderStyle.BOTH : enumValue(headers, HeaderStyle.class);
        Setting shadowMode = in.get(SHADOW);
        this.shadow = shadowMode != null && bool(shadowMode);
        Setting options = in.get(COUNT_OPTIONS);
        this.countOptions = options != null && bool(options);
        Setting metrics = in.get(METRICS_ENABLED);
        this.metricsEnabled = metrics == null || bool(metrics);
    }

    /**
     * Reads the settings from system properties, environment variables, then {@code containerParams}.
     *
     * @param containerParams the binding's parameters by name (e.g. {@code ServletContext::getInitParameter}); may
     *                        be null
     * @return the checked settings
     * @throws IllegalArgumentException naming the first invalid setting, its value and its source
     */
    public static RateLimitSettings load(Function<String, String> containerParams) {
        return load(System::getProperty, System::getenv, containerParams);
    }

    /** Reads the settings from explicit lookups (tests); any lookup may be null, meaning it holds nothing. */
    static RateLimitSettings load(Function<String, String> systemProperties, Function<String, String> environment,
            Function<String, String> containerParams) {
        return new RateLimitSettings(new Lookup(systemProperties, environment, containerParams));
    }

    /**
     * The environment variable of a setting: {@code ratelimit.redis.max-connections} becomes
     * {@code RATELIMIT_REDIS_MAX_CONNECTIONS}.
     */
    static String environmentName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * A new limiter for these settings; the caller closes it. Without a Redis URL, the embedded
     * {@link InMemoryRateLimiter} (limits are per instance; logged at INFO). With one, a {@link FallbackRateLimiter}
     * guarding a {@link RedisRateLimiter} with an in-memory fallback of {@link #memoryMaximumKeys()} keys (the
     * effective configuration is logged at INFO, password masked). Nothing connects to Redis here: an unreachable
     * Redis is handled by the fallback policy. Reports to {@link #metrics()}.
     *
     * @return a new, thread-safe limiter, to be closed by the caller when the application stops
     */
    public RateLimiter createLimiter() {
        return createLimiter(metrics());
    }

    /**
     * Like {@link #createLimiter()}, reporting Redis calls and the circuit breaker to {@code metrics}.
     *
     * @param metrics where to report, e.g. {@code MicrometerMetrics.of(registry)}, or {@link RateLimitMetrics#none()}
     * @return a new limiter; the caller closes it
     */
    public RateLimiter createLimiter(RateLimitMetrics metrics) {
        Objects.requireNonNull(metrics, "metrics");
        InMemoryRateLimiter memory = InMemoryRateLimiter.custom().maximumKeys(maximumKeys).build();
        if (redisUrl == null && clusterNodes == null && sentinelMaster == null) {
            LOG.info("Rate limiting with the embedded in-memory limiter: no Redis configured ({} / {}, {} or {}), so "
                    + "limits are per instance, not shared between instances; {}", REDIS_URL,
                    environmentName(REDIS_URL), REDIS_CLUSTER_NODES, REDIS_SENTINEL_MASTER, this);
            return memory;
        }
        RedisRateLimiter.Builder builder = RedisRateLimiter.custom();
        if (redisUrl != null) {
            builder.uri(redisUrl);
        } else {
            if (clusterNodes != null) {
                builder.clusterNodes(clusterNodes);
            } else {
                builder.sentinel(sentinelMaster, sentinelNodes);
                if (sentinelPassword != null) {
                    builder.sentinelCredentials(sentinelUser, sentinelPassword);
                }
            }
            if (redisPassword != null) {
                builder.credentials(redisUser, redisPassword);
            }
            builder.ssl(redisSsl);
        }
        RedisRateLimiter redis = builder
                .timeout(redisTimeout)
                .maxConnections(redisMaxConnections)
                .keyPrefix(redisKeyPrefix)
                .denialCache(denialCacheMaxKeys)
                .build();
        // the fallback holds only heap state: FallbackRateLimiter does not close a fallback it was given, and
        // leaving it to the garbage collector is fine
        FallbackRateLimiter limiter = FallbackRateLimiter.custom()
                .primary(redis)
                .fallback(memory)
                .config(fallbackConfig)
                .metrics(metrics)
                .build();
        LOG.info("Rate limiting with {}, falling back by policy {} while it fails; {}", topology(),
                fallbackConfig.policy(), this);
        return limiter;
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
    private String topology() {
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
     * Failure policy and circuit-breaker settings, from {@code ratelimit.fallback.*} and {@code ratelimit.breaker.*}.
     *
     * @return the configuration of the fallback limiter
     */
    public FallbackConfig fallbackConfig() {
        return fallbackConfig;
    }

    /**
     * The most (key, rule) states the in-memory limiter keeps, from {@code ratelimit.memory.maximum-keys}.
     *
     * @return the bound; 100,000 by default
     */
    public long memoryMaximumKeys() {
        return maximumKeys;
    }

    /**
     * Most requests whose Redis denial is kept locally until its retry-after (the local denial cache), from
     * {@code ratelimit.denial-cache.max-keys}.
     *
     * @return the cache's size bound; 0, the default, turns it off
     */
    public long denialCacheMaxKeys() {
        return denialCacheMaxKeys;
    }

    /**
     * Key resolution, from {@code ratelimit.trusted-proxies} and {@code ratelimit.ipv6-prefix-length}.
     *
     * @return how keys are taken from requests
     */
    public RequestKeys requestKeys() {
        return requestKeys;
    }

    /**
     * Which rate-limit headers responses carry, from {@code ratelimit.headers}.
     *
     * @return the header style; {@link HeaderStyle#BOTH} by default
     */
    public HeaderStyle headerStyle() {
        return headerStyle;
    }

    /**
     * Shadow (dry-run) mode: the bindings count requests and add headers but never refuse one, so limits can be
     * tried in production. From {@code ratelimit.shadow}.
     *
     * @return {@code true} in shadow mode; false by default
     */
    public boolean shadow() {
        return shadow;
    }

    /**
     * Whether {@code OPTIONS} requests (CORS preflights, which browsers send on their own) are counted and decorated
     * like any other method. From {@code ratelimit.count-options}.
     *
     * @return false by default: both bindings let OPTIONS requests through uncounted and without rate-limit headers
     */
    public boolean countOptions() {
        return countOptions;
    }

    /**
     * {@return whether the limiter reports metrics when the application names no registry ({@link #metrics()});
     * true by default}
     */
    public boolean metricsEnabled() {
        return metricsEnabled;
    }

    /**
     * Where a limiter reports when the application names no registry: Micrometer's global registry if Micrometer is
     * on the classpath and {@code ratelimit.metrics.enabled} is not false, else nowhere.
     *
     * @return the metrics of the settings: Micrometer's global registry, or none
     */
    public RateLimitMetrics metrics() {
        return metricsEnabled ? RateLimitMetrics.defaults() : RateLimitMetrics.none();
    }

    /** Every setting by name, the Redis password masked. */
    @Override
    public String toString() {
        FallbackConfig f = fallbackConfig;
        return "RateLimitSettings[" + redisToString()
                + ", " + shortName(REDIS_TIMEOUT) + "=" + Durations.format(redisTimeout)
                + ", " + shortName(REDIS_MAX_CONNECTIONS) + "=" + redisMaxConnections
                + ", " + shortName(REDIS_KEY_PREFIX) + "=" + redisKeyPrefix
                + ", " + shortName(FALLBACK_POLICY) + "=" + f.policy()
                + ", " + shortName(FALLBACK_INSTANCE_COUNT) + "=" + f.instanceCount()
                + ", " + shortName(BREAKER_FAILURE_RATE) + "=" + percent(f.failureRateThreshold())
                + ", " + shortName(BREAKER_SLOW_CALL_RATE) + "=" + percent(f.slowCallRateThreshold())
                + ", " + shortName(BREAKER_SLOW_CALL_DURATION) + "=" + Durations.format(f.slowCallDurationThreshold())
                + ", " + shortName(BREAKER_WAIT_IN_OPEN_STATE) + "=" + Durations.format(f.waitDurationInOpenState())
                + ", " + shortName(BREAKER_SLIDING_WINDOW_SIZE) + "=" + f.slidingWindowSize()
                + ", " + shortName(BREAKER_MINIMUM_CALLS) + "=" + f.minimumNumberOfCalls()
                + ", " + shortName(BREAKER_HALF_OPEN_CALLS) + "=" + f.permittedCallsInHalfOpenState()
                + ", " + shortName(MEMORY_MAXIMUM_KEYS) + "=" + maximumKeys
                + ", " + shortName(DENIAL_CACHE_MAX_KEYS) + "=" + denialCacheMaxKeys
                + ", " + shortName(TRUSTED_PROXIES) + "=" + requestKeys.trustedProxies()
                + ", " + shortName(IPV6_PREFIX_LENGTH) + "=" + requestKeys.ipv6PrefixLength()
                + ", " + shortName(HEADERS) + "=" + headerStyle
                + ", " + shortName(SHADOW) + "=" + shadow
                + ", " + shortName(COUNT_OPTIONS) + "=" + countOptions
                + ", " + shortName(METRICS_ENABLED) + "=" + metricsEnabled + "]";
    }

    /** The topology and credential settings: only those set, passwords as {@code ***}. */
    private String redisToString() {
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
        return s.toString();
    }

    /** A comma-separated list of {@code host:port}, each entry trimmed, empty entries rejected. */
    private static List<String> hostAndPorts(Setting s) {
        List<String> entries = Arrays.stream(s.value.split(",", -1)).map(String::strip).collect(Collectors.toList());
        if (entries.stream().anyMatch(String::isEmpty)) {
            throw s.invalid("must be a comma-separated list of host:port, e.g. redis-1:6379,redis-2:6379");
        }
        return List.copyOf(entries);
    }

    private static String shortName(String name) {
        return name.substring("ratelimit.".length());
    }

    private static String percent(float value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Float.toString(value);
    }

    private static String checkRedisUrl(Setting s) {
        boolean valid;
        try {
            RedisRateLimiter.custom().uri(s.value);
            String userInfo = new URI(s.value).getRawUserInfo();
            valid = userInfo == null || userInfo.indexOf(':') >= 0; // Jedis reads "user:password" or ":password"
        } catch (IllegalArgumentException | URISyntaxException e) {
            valid = false; // the builder's message and the cause would show the URL: never chained, never shown
        }
        if (!valid) {
            throw s.invalid("must look like redis://[user:password@]host:port[/db] or rediss://…");
        }
        return s.value;
    }

    /** Runs a builder's own validation of a setting's value, reporting a failure with the setting's name and source. */
    private static void check(Setting s, Runnable validation) {
        if (s != null) {
            apply(s, ignored -> validation.run());
        }
    }

    private static void apply(Setting s, Consumer<Setting> action) {
        if (s == null) {
            return;
        }
        try {
            action.accept(s);
        } catch (InvalidSetting e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw s.invalid("is invalid: " + e.getMessage());
        }
    }

    private static int integer(Setting s) {
        long value = longValue(s);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw s.invalid("must be a whole number up to " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    private static long longValue(Setting s) {
        if (!INTEGER.matcher(s.value).matches()) {
            throw s.invalid("must be a whole number");
        }
        return Long.parseLong(s.value);
    }

    private static float decimal(Setting s) {
        if (!DECIMAL.matcher(s.value).matches()) {
            throw s.invalid("must be a number such as 50 or 12.5");
        }
        return Float.parseFloat(s.value);
    }

    private static Duration duration(Setting s) {
        Duration d = Durations.parse(s.value);
        if (d == null || d.compareTo(MAX_DURATION) > 0) {
            throw s.invalid("must be a duration of at most 1d such as 100ms, 5s, 1m or PT0.1S");
        }
        return d;
    }

    private static boolean bool(Setting s) {
        if (s.value.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.value.equalsIgnoreCase("false")) {
            return false;
        }
        throw s.invalid("must be true or false");
    }

    private static <E extends Enum<E>> E enumValue(Setting s, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s.value)) {
                return e;
            }
        }
        throw s.invalid("must be one of " + Arrays.stream(type.getEnumConstants()).map(Enum::name)
                .collect(Collectors.joining(", ")));
    }

    /** One value found in a source. */
    private static final class Setting {
        final String name;
        final String value;
        final String source;

        Setting(String name, String value, String source) {
            this.name = name;
            this.value = value;
            this.source = source;
        }

        InvalidSetting invalid(String why) {
            // every value that names Redis nodes goes through the one masking routine; passwords are never shown
            boolean nodes = name.equals(REDIS_URL) || name.equals(REDIS_CLUSTER_NODES)
                    || name.equals(REDIS_SENTINEL_NODES);
            String shown = nodes ? Masking.redisAddress(value)
                    : name.equals(REDIS_PASSWORD) || name.equals(REDIS_SENTINEL_PASSWORD) ? Masking.MASK : value;
            return new InvalidSetting(name + "='" + shown + "' (from " + source + ") " + why);
        }
    }

    /** An error already naming its setting, so it is not wrapped a second time. */
    private static final class InvalidSetting extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSetting(String message) {
            super(message);
        }
    }

    /** The sources, highest first. */
    private static final class Lookup {
        private final Function<String, String> systemProperties;
        private final Function<String, String> environment;
        private final Function<String, String> containerParams;

        Lookup(Function<String, String> systemProperties, Function<String, String> environment,
                Function<String, String> containerParams) {
            this.systemProperties = systemProperties;
            this.environment = environment;
            this.containerParams = containerParams;
        }

        /** The value of the highest source that sets {@code name} (blank counts as unset); null when none does. */
        Setting get(String name) {
            String value = read(systemProperties, name);
            if (value != null) {
                return new Setting(name, value, "system property " + name);
            }
            String env = environmentName(name);
            value = read(environment, env);
            if (value != null) {
                return new Setting(name, value, "environment variable " + env);
            }
            value = read(containerParams, name);
            if (value != null) {
                return new Setting(name, value, "context-param/init-param " + name);
            }
            return null;
        }

        private static String read(Function<String, String> source, String key) {
            if (source == null) {
                return null;
            }
            String value = source.apply(key);
            return value == null || value.isBlank() ? null : value.strip();
        }
    }
}
