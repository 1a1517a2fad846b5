package dev.ratelimit.internal.config;

import dev.ratelimit.internal.Masking;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * One setting's value as found: its name, its text (trimmed, never blank) and where it came from. Its
 * {@link #invalid(String)} errors name all three, with Redis addresses and passwords masked. Not API.
 *
 * @param name   the setting, e.g. {@code ratelimit.redis.timeout}
 * @param text   the value
 * @param source where it was found, e.g. {@code environment variable RATELIMIT_REDIS_TIMEOUT}
 */
public record Setting(String name, String text, String source) {

    private static final Set<String> ADDRESSES = Set.of(RateLimitSettings.REDIS_URL,
            RateLimitSettings.REDIS_CLUSTER_NODES, RateLimitSettings.REDIS_SENTINEL_NODES);
    private static final Set<String> SECRETS = Set.of(RateLimitSettings.REDIS_PASSWORD,
            RateLimitSettings.REDIS_SENTINEL_PASSWORD, HeaderSettings.HEADERS_PARTITION_KEY_SECRET);

    /**
     * An error naming this setting, its (masked) value and its source.
     *
     * @param why the reason, e.g. {@code must be a whole number}
     * @return the error, to throw
     */
    public IllegalArgumentException invalid(String why) {
        String shown = ADDRESSES.contains(name) ? Masking.redisAddress(text)
                : SECRETS.contains(name) ? Masking.MASK : text;
        return new InvalidSetting(name + "='" + shown + "' (from " + source + ") " + why);
    }

    /** {@link #invalid(String)} as the error factory {@link Values} takes. */
    Function<String, IllegalArgumentException> errors() {
        return this::invalid;
    }

    /**
     * Looks a setting up in the sources, highest first: system property, environment variable (upper case, dots and
     * dashes as underscores), MicroProfile Config, then the container's parameters (context-params, init-params,
     * application properties). Any source may be null, meaning it holds nothing.
     *
     * @return the value of the highest source that sets {@code name} (blank counts as unset); null when none does
     */
    static Setting find(String name, Function<String, String> systemProperties, Function<String, String> environment,
            MicroProfileConfig microProfile, Function<String, String> containerParams) {
        String value = read(systemProperties, name);
        if (value != null) {
            return new Setting(name, value, "system property " + name);
        }
        String env = environmentName(name);
        value = read(environment, env);
        if (value != null) {
            return new Setting(name, value, "environment variable " + env);
        }
        Setting configured = microProfile == null ? null : microProfile.find(name);
        if (configured != null) {
            return configured;
        }
        value = read(containerParams, name);
        return value == null ? null : new Setting(name, value, "context-param/init-param " + name);
    }

    /** The environment variable of a setting: {@code ratelimit.redis.url} becomes {@code RATELIMIT_REDIS_URL}. */
    static String environmentName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String read(Function<String, String> source, String key) {
        return source == null ? null : Values.unlessBlank(source.apply(key));
    }

    /** An error that already names its setting, so it is not wrapped a second time. */
    static final class InvalidSetting extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSetting(String message) {
            super(message);
        }
    }
}
