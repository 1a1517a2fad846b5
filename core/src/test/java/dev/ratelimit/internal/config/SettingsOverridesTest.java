package dev.ratelimit.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The overrides by rule name, {@code ratelimit.rules.<name>.*}, from the settings' sources. */
class SettingsOverridesTest {

    private final Map<String, String> sys = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> params = new HashMap<>();
    private final RateLimitRule search = RateLimitRule.custom().name("search").limit(10).window("1m").build();
    private final RateLimitRule burst = RateLimitRule.custom().name("fixed-window").limit(5).window("10s")
            .algorithm(Algorithm.FIXED_WINDOW).build();

    private SettingsOverrides overrides() {
        return RateLimitSettings.load(sys::get, env::get, params::get).overrides();
    }

    @Test
    void nothingSetLeavesTheListAsItIs() {
        List<RateLimitRule> declared = List.of(search, burst);
        assertThat(overrides().apply(declared)).isSameAs(declared);
    }

    @Test
    void eachSourceOverridesByNameAndTheHighestWins() {
        env.put("RATELIMIT_RULES_FIXED_WINDOW_LIMIT", "7");
        params.put("ratelimit.rules.search.limit", "100");
        params.put("ratelimit.rules.search.window", "1h");
        assertThat(overrides().apply(List.of(search, burst))).extracting(RateLimitRule::limit)
                .as("the environment variable names the rule with '-' as '_'").containsExactly(100L, 7L);
        sys.put("ratelimit.rules.fixed-window.limit", "2");
        List<RateLimitRule> effective = overrides().apply(List.of(search, burst));
        assertThat(effective.get(1).limit()).as("a system property beats the environment").isEqualTo(2);
        assertThat(effective.get(0).window()).hasHours(1);
        assertThat(effective.get(1).algorithm()).as("what is not overridden stays").isEqualTo(Algorithm.FIXED_WINDOW);
    }

    @Test
    void aDisabledRuleIsLeftOutAndAllDisabledIsNoLimit() {
        params.put("ratelimit.rules.search.enabled", "false");
        assertThat(overrides().apply(List.of(search, burst))).containsExactly(burst);
        params.put("ratelimit.rules.fixed-window.enabled", "FALSE");
        assertThat(overrides().apply(List.of(search, burst))).isEmpty();
    }

    @Test
    void invalidValuesAreNamedWithTheirSource() {
        env.put("RATELIMIT_RULES_SEARCH_COST", "11");
        assertThatThrownBy(() -> overrides().apply(List.of(search)))
                .hasMessage("ratelimit.rules.search.cost='11' (from environment variable RATELIMIT_RULES_SEARCH_COST) "
                        + "is invalid: cost 11 is above the limit 10: a request of that cost could never pass");
        env.clear();
        params.put("ratelimit.rules.search.algorithm", "LEAKY");
        assertThatThrownBy(() -> overrides().apply(List.of(search))).hasMessageStartingWith(
                "ratelimit.rules.search.algorithm='LEAKY' (from context-param/init-param "
                        + "ratelimit.rules.search.algorithm) must be one of");
    }

    @Test
    void overridesThatMakeTwoRulesAlikeLeaveEachOnItsOwnCounter() {
        RateLimitRule other = RateLimitRule.custom().name("search").limit(20).window("1m").build();
        params.put("ratelimit.rules.search.limit", "30");
        List<RateLimitRule> effective = overrides().apply(List.of(search, other));
        assertThat(effective).extracting(RateLimitRule::limit).containsExactly(30L, 30L);
        assertThat(effective).extracting(RateLimitRule::counterLimit).as("each keeps its declared counter")
                .containsExactly(search.limit(), 20L);
    }

    @Test
    void anOverriddenRuleCountsOnTheDeclaredRulesCounterUnlessTheAlgorithmChanges() {
        params.put("ratelimit.rules.search.limit", "3");
        params.put("ratelimit.rules.search.window", "1h");
        RateLimitRule changed = overrides().apply(List.of(search)).get(0);
        assertThat(changed.limit()).isEqualTo(3);
        assertThat(changed.counterLimit()).isEqualTo(search.limit());
        assertThat(changed.counterWindowMicros()).isEqualTo(search.windowMicros());
        params.put("ratelimit.rules.search.algorithm", "FIXED_WINDOW");
        RateLimitRule other = overrides().apply(List.of(search)).get(0);
        assertThat(other.counterLimit()).as("another algorithm: a counter of its own").isEqualTo(3);
        assertThat(other.counterWindowMicros()).isEqualTo(3_600_000_000L);
    }

    @Test
    void anEnvironmentVariableThatReadsAsTwoRuleNamesIsRefused() {
        RateLimitRule underscore = RateLimitRule.custom().name("fixed_window").limit(5).window("10s").build();
        SettingsOverrides overrides = overrides();
        overrides.apply(List.of(burst)); // no variable set: no question
        env.put("RATELIMIT_RULES_FIXED_WINDOW_LIMIT", "3");
        SettingsOverrides withVariable = overrides();
        withVariable.apply(List.of(burst));
        assertThatThrownBy(() -> withVariable.apply(List.of(underscore))).hasMessageContaining("is ambiguous")
                .hasMessageContaining("'fixed-window'").hasMessageContaining("'fixed_window'");
    }
}
