package dev.ratelimit.internal.config;

import java.util.ServiceConfigurationError;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings' MicroProfile Config source, when the application has MicroProfile Config (its runtime provides it, or
 * an implementation is in the WAR): {@link #lookup()} is null without it, so this class is the only one that links to
 * the optional API, and only once the API is known to be there. Values are looked up by the setting's name, through
 * every config source the application has ({@code microprofile-config.properties}, its own sources), and an error
 * names the config source the value came from. Not API.
 */
final class MicroProfileConfig {

    private static final Logger LOG = LoggerFactory.getLogger(MicroProfileConfig.class);
    private static final String PROVIDER = "org.eclipse.microprofile.config.ConfigProvider";

    private final Config config;

    private MicroProfileConfig(Config config) {
        this.config = config;
    }

    /**
     * The application's MicroProfile Config, as a lookup of settings; null when the API is not on the class path or
     * no implementation answers.
     */
    static MicroProfileConfig lookup() {
        try {
            Class.forName(PROVIDER, false, MicroProfileConfig.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        try {
            return new MicroProfileConfig(ConfigProvider.getConfig());
        } catch (RuntimeException | ServiceConfigurationError | LinkageError e) {
            // the API without an implementation, or an implementation that cannot start: the settings come from the
            // other sources, as without MicroProfile Config
            LOG.debug("MicroProfile Config is on the class path but gives no configuration ({}); it is not read", e);
            return null;
        }
    }

    /**
     * A setting from MicroProfile Config.
     *
     * @param name the setting's name, e.g. {@code ratelimit.redis.url}
     * @return the value and the config source it came from; null when no source sets it (or it is blank)
     */
    Setting find(String name) {
        ConfigValue value = config.getConfigValue(name);
        String text = value == null ? null : Values.unlessBlank(value.getValue());
        if (text == null) {
            return null;
        }
        return new Setting(name, text, "MicroProfile Config " + (value.getSourceName() == null ? name
                : value.getSourceName() + " " + name));
    }
}
