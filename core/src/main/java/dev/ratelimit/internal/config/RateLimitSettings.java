package dev.ratelimit.internal.config;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.fallback.FallbackConfig;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.internal.http.Exemptions;
import dev.ratelimit.internal.http.HeaderStyle;
import dev.ratelimit.internal.http.PartitionKeys;
import dev.ratelimit.internal.http.PlanRules;
import dev.ratelimit.internal.http.RequestDecider;
import dev.ratelimit.internal.http.RequestKeys;
import dev.ratelimit.internal.http.TrustedProxies;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import dev.ratelimit.redis.RedisRateLimiter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
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
    static final String MEMORY_MAXIMUM_KEYS = "ratelimit.memory.maximum-keys";
    static final String DENIAL_CACHE_MAX_KEYS = "ratelimit.denial-cache.max-keys";
    static final String TRUSTED_PROXIES = "ratelimit.trusted-proxies";
    static final String IPV6_PREFIX_LENGTH = "ratelimit.ipv6-prefix-length";
    static final String SHADOW = "ratelimit.shadow";
    static final String COUNT_OPTIONS = "ratelimit.count-options";
    static final String METRICS_ENABLED = "ratelimit.metrics.enabled";
    /** The role a caller of the admin endpoint must have; the endpoint refuses to start without one. */
    public static final String ADMIN_ROLE = "ratelimit.admin.role";

    /** The longest duration a setting takes (a window is a rule, not a setting: it goes up to 366 days). */
    static final Duration MAX_DURATION = Duration.ofDays(1);

    private final FallbackConfig fallbackConfig;
    private final long maximumKeys;
    private final RequestKeys requestKeys;
    private final HeaderSettings headers;
    private final boolean shadow;
    private final boolean countOptions;
    private final boolean metricsEnabled;
    private final Exemptions exemptions;
    private final PlanSettings plans;
    private final SettingsOverrides overrides;
    private final String adminRole;
    private final Path rulesFile;
    private final Duration rulesFileCheckInterval;
    private final RedisSettings redis;
    /** The Redis limiter's guard, with the settings that are its own (the denial cache); completed per limiter. */
    private final FallbackRateLimiter.Builder guard = FallbackRateLimiter.custom();
    private final long denialCacheMaxKeys;
    private final InMemoryRateLimiter.Builder memory;

    private RateLimitSettings(Function<String, Setting> in) {
        this.redis = new RedisSettings(in);

        this.fallbackConfig = FallbackSettings.read(in);
        Setting denialKeys = in.apply(DENIAL_CACHE_MAX_KEYS);
        this.denialCacheMaxKeys = denialKeys == null ? 0 : Values.whole(denialKeys.text(), denialKeys.errors());
        apply(denialKeys, s -> guard.denialCache(denialCacheMaxKeys));

        this.memory = InMemoryRateLimiter.custom();
        Setting maxKeys = in.apply(MEMORY_MAXIMUM_KEYS);
        this.maximumKeys = maxKeys == null ? InMemoryRateLimiter.DEFAULT_MAXIMUM_KEYS
                : Values.whole(maxKeys.text(), maxKeys.errors());
        apply(maxKeys, s -> memory.maximumKeys(maximumKeys));

        RequestKeys.Builder keys = RequestKeys.custom();
        apply(in.apply(TRUSTED_PROXIES), s -> keys.trustedProxies(TrustedProxies.parse(s.text())));
        apply(in.apply(IPV6_PREFIX_LENGTH), s -> keys.ipv6PrefixLength(Values.integer(s.text(), s.errors())));
        this.requestKeys = keys.build();

        this.headers = new HeaderSettings(in);
        Setting shadowMode = in.apply(SHADOW);
        this.shadow = shadowMode != null && Values.bool(shadowMode.text(), shadowMode.errors());
        Setting options = in.apply(COUNT_OPTIONS);
        this.countOptions = options != null && Values.bool(options.text(), options.errors());
        Setting metrics = in.apply(METRICS_ENABLED);
        this.metricsEnabled = metrics == null || Values.bool(metrics.text(), metrics.errors());
        this.exemptions = ExemptionSettings.read(in);
        this.plans = new PlanSettings(in);
        this.overrides = new SettingsOverrides(in);
        Setting admin = in.apply(ADMIN_ROLE);
        if (admin != null && (admin.text().contains("*") || admin.text().contains(",")
                || admin.text().chars().anyMatch(Character::isWhitespace))) {
            throw admin.invalid("must be one role name (no wildcard, list or space)");
        }
        this.adminRole = admin == null ? null : admin.text();
        Setting file = in.apply(LiveOverrides.FILE);
        Path path = null;
        if (file != null) {
            try {
                path = Path.of(file.text());
            } catch (InvalidPathException e) {
                throw file.invalid("is no file path: " + e.getMessage());
            }
        }
        this.rulesFile = path;
        Setting interval = in.apply(LiveOverrides.FILE_CHECK_INTERVAL);
        this.rulesFileCheckInterval = interval == null ? LiveOverrides.DEFAULT_CHECK_INTERVAL
                : Values.duration(interval.text(), MAX_DURATION, interval.errors());
    }

    /**
     * Reads the settings from system properties, environment variables, MicroProfile Config (when the application has
     * it), then {@code containerParams}.
     *
     * @param containerParams the binding's parameters by name (e.g. {@code ServletContext::getInitParameter}); may
     *                        be null
     * @return the checked settings
     * @throws IllegalArgumentException naming the first invalid setting, its value and its source
     */
    public static RateLimitSettings load(Function<String, String> containerParams) {
        return load(System::getProperty, System::getenv, MicroProfileConfig.lookup(), containerParams);
    }

    /** Reads the settings from explicit lookups (tests); any lookup may be null, meaning it holds nothing. */
    static RateLimitSettings load(Function<String, String> systemProperties, Function<String, String> environment,
            Function<String, String> containerParams) {
        return load(systemProperties, environment, null, containerParams);
    }

    /** Reads the settings from explicit lookups and MicroProfile Config (tests); any may be null. */
    static RateLimitSettings load(Function<String, String> systemProperties, Function<String, String> environment,
            MicroProfileConfig microProfile, Function<String, String> containerParams) {
        return new RateLimitSettings(name -> Setting.find(name, systemProperties, environment, microProfile,
                containerParams));
    }

    /**
     * A new limiter for these settings; the caller closes it. Without a Redis topology, the embedded
     * {@code InMemoryRateLimiter} (limits are per instance; logged at INFO). With one, a {@code FallbackRateLimiter}
     * guarding a {@code RedisRateLimiter} with an in-memory fallback (the effective configuration is logged at INFO,
     * password masked). Nothing connects to Redis here: an unreachable Redis is handled by the fallback policy.
     *
     * @param metrics where to report, e.g. {@code MicrometerMetrics.of(registry)}, or {@link RateLimitMetrics#none()}
     * @return a new limiter; the caller closes it
     */
    public RateLimiter createLimiter(RateLimitMetrics metrics) {
        Objects.requireNonNull(metrics, "metrics");
        InMemoryRateLimiter inMemory = memory.build();
        if (!redis.configured()) {
            LOG.info("Rate limiting with the embedded in-memory limiter: no Redis configured ({} / {}, {} or {}), so "
                    + "limits are per instance, not shared between instances; {}", REDIS_URL,
                    Setting.environmentName(REDIS_URL), REDIS_CLUSTER_NODES, REDIS_SENTINEL_MASTER, this);
            return inMemory;
        }
        // the fallback holds only heap state: FallbackRateLimiter does not close a fallback it was given, and
        // leaving it to the garbage collector is fine
        FallbackRateLimiter limiter = guard
                .primary(redis.builder().build())
                .fallback(inMemory)
                .config(fallbackConfig)
                .metrics(metrics)
                .build();
        LOG.info("Rate limiting with {}, falling back by policy {} while it fails; {}", redis.topology(),
                fallbackConfig.policy(), this);
        return limiter;
    }

    /**
     * The request-path decider both bindings call, with these settings' keys, header style and shadow mode.
     *
     * @param limiter the limiter deciding
     * @param metrics where each decision is counted
     * @return a new decider
     */
    public RequestDecider requestDecider(RateLimiter limiter, RateLimitMetrics metrics) {
        return requestDecider(limiter, metrics, null);
    }

    /**
     * The request-path decider both bindings call, with these settings' keys, header style and shadow mode, mapping
     * each endpoint's rules through the application's run-time overrides.
     *
     * @param limiter the limiter deciding
     * @param metrics where each decision is counted
     * @param live    the application's run-time overrides, or null for none
     * @return a new decider
     */
    public RequestDecider requestDecider(RateLimiter limiter, RateLimitMetrics metrics, LiveOverrides live) {
        return new RequestDecider(limiter, requestKeys, headers.format(), shadow, metrics, headers.partitionKeys(),
                exemptions, live == null ? null : live::current);
    }

    /**
     * The role a caller of the admin endpoint must have ({@value #ADMIN_ROLE}).
     *
     * @return the role, or null when none is set (the admin endpoint then refuses to start)
     */
    public String adminRole() {
        return adminRole;
    }

    /** The run-time overrides these settings describe (the rules file and how often it is checked), not started. */
    LiveOverrides liveOverrides(String application) {
        return new LiveOverrides(rulesFile, rulesFileCheckInterval, application);
    }

    /**
     * The clients no limit applies to, from {@code ratelimit.exempt.networks}, {@code ratelimit.exempt.principals}
     * and {@code ratelimit.exempt.roles}.
     *
     * @return the exemptions; {@link Exemptions#none()} by default
     */
    public Exemptions exemptions() {
        return exemptions;
    }

    /**
     * The plan table, from {@code ratelimit.plans.*} (see {@code docs/plans.md}): the rules resolver the bindings use
     * when the application binds none of its own. A binding calls {@link PlanRules#prepare(java.util.List)} with each
     * declared rule list at deployment, which reads and checks the plans' values for those rules.
     *
     * @return the plan table; null when {@code ratelimit.plans.names} is not set
     */
    public PlanRules plans() {
        return plans.rules();
    }

    /**
     * The overrides by rule name, {@code ratelimit.rules.<name>.*}: a binding applies them to each declared rule list
     * when it deploys.
     *
     * @return the overrides (nothing set: they return each list as it is)
     */
    public SettingsOverrides overrides() {
        return overrides;
    }

    /** {@return the Redis settings: topology, credentials, timeouts, key prefix, denial cache} */
    RedisSettings redis() {
        return redis;
    }

    /**
     * Most requests whose Redis denial is kept locally until its retry-after (the local denial cache, in front of the
     * circuit breaker), from {@code ratelimit.denial-cache.max-keys}.
     *
     * @return the cache's size bound; 0, the default, turns it off
     */
    long denialCacheMaxKeys() {
        return denialCacheMaxKeys;
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
        return headers.format().style();
    }

    /**
     * How the {@code pk} parameter of the IETF fields is made, from {@code ratelimit.headers.partition-key} and
     * {@code ratelimit.headers.partition-key-secret}.
     *
     * @return null when no {@code pk} is sent (the default); else the keyed hash, under the configured secret or a
     *         random one per deployment
     */
    public PartitionKeys partitionKeys() {
        return headers.partitionKeys();
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

    /** Every setting by name, the Redis password and the partition-key secret masked. */
    @Override
    public String toString() {
        return "RateLimitSettings[" + limiterSettings()
                + ", " + shortName(TRUSTED_PROXIES) + "=" + requestKeys.trustedProxies()
                + ", " + shortName(IPV6_PREFIX_LENGTH) + "=" + requestKeys.ipv6PrefixLength()
                + headers
                + ", " + shortName(SHADOW) + "=" + shadow
                + ", " + shortName(COUNT_OPTIONS) + "=" + countOptions
                + ", " + shortName(METRICS_ENABLED) + "=" + metricsEnabled
                + ExemptionSettings.describe(exemptions) + plans + "]";
    }

    /**
     * The settings of the limiter itself (Redis, fallback, breaker, memory, denial cache), passwords masked: what two
     * bindings sharing one limiter must agree on.
     *
     * @return the settings as {@code name=value, …}
     */
    String limiterSettings() {
        return redis.toString()
                + FallbackSettings.describe(fallbackConfig)
                + ", " + shortName(MEMORY_MAXIMUM_KEYS) + "=" + maximumKeys
                + ", " + shortName(DENIAL_CACHE_MAX_KEYS) + "=" + denialCacheMaxKeys;
    }


    static String shortName(String name) {
        return name.substring("ratelimit.".length());
    }

    /** Applies one setting, reporting a builder's refusal of its value with the setting's name and source. */
    static void apply(Setting s, Consumer<Setting> action) {
        if (s == null) {
            return;
        }
        try {
            action.accept(s);
        } catch (Setting.InvalidSetting e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw s.invalid("is invalid: " + e.getMessage());
        }
    }
}
