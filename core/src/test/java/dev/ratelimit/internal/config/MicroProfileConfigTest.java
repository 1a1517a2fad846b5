package dev.ratelimit.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The settings from MicroProfile Config (SmallRye Config here, as an application server or a WAR would have it):
 * between the environment and the container's parameters, and its errors name the config source.
 */
class MicroProfileConfigTest {

    private static final RateLimitRule FIXED = RateLimitRule.custom().name("fixed-window").limit(5).window("10s")
            .algorithm(Algorithm.FIXED_WINDOW).build();

    private SmallRyeConfig config;

    private MicroProfileConfig register(Map<String, String> values) {
        config = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(values, "shop-config", 150))
                .build();
        ConfigProviderResolver resolver = ConfigProviderResolver.instance();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        resolver.releaseConfig(resolver.getConfig(loader)); // the default one, made by the settings of other tests
        resolver.registerConfig(config, loader);
        return MicroProfileConfig.lookup();
    }

    @AfterEach
    void release() {
        if (config != null) {
            ConfigProviderResolver.instance().releaseConfig(config);
        }
    }

    @Test
    void aSettingComesFromMicroProfileConfigBelowTheEnvironmentAndAboveTheContainer() {
        MicroProfileConfig mp = register(Map.of("ratelimit.rules.fixed-window.limit", "7"));
        assertThat(mp).as("found on the class path").isNotNull();
        Map<String, String> env = new HashMap<>();
        Map<String, String> params = Map.of("ratelimit.rules.fixed-window.limit", "9");
        assertThat(limit(env, mp, params)).as("MicroProfile Config beats a context-param").isEqualTo(7);
        env.put("RATELIMIT_RULES_FIXED_WINDOW_LIMIT", "6");
        assertThat(limit(env, mp, params)).as("the environment beats MicroProfile Config").isEqualTo(6);
        assertThat(limit(Map.of(), null, params)).as("without it: the context-param").isEqualTo(9);
    }

    @Test
    void anInvalidValueIsNamedWithItsConfigSource() {
        MicroProfileConfig mp = register(Map.of("ratelimit.redis.timeout", "soon"));
        assertThatThrownBy(() -> RateLimitSettings.load(null, null, mp, null))
                .hasMessageStartingWith("ratelimit.redis.timeout='soon' (from MicroProfile Config "
                        + "PropertiesConfigSource[source=shop-config] ratelimit.redis.timeout)");
    }

    private static long limit(Map<String, String> env, MicroProfileConfig mp, Map<String, String> params) {
        return RateLimitSettings.load(null, env::get, mp, params::get).overrides().apply(List.of(FIXED)).get(0)
                .limit();
    }
}
