package dev.ratelimit.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.internal.http.PlanRules;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The plan table's settings, {@code ratelimit.plans.*}: what is read, from where, and how a bad value is reported. */
class PlanSettingsTest {

    private final Map<String, String> sys = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> params = new HashMap<>();
    private final RateLimitRule search = RateLimitRule.custom().name("search").limit(3).window("10s")
            .algorithm(Algorithm.FIXED_WINDOW).build();
    private final RateLimitRule export = RateLimitRule.custom().name("export").limit(1).window("1h").build();

    private RateLimitSettings load() {
        return RateLimitSettings.load(sys::get, env::get, params::get);
    }

    @Test
    void withoutNamesThereIsNoPlanTable() {
        assertThat(load().plans()).isNull();
        assertThat(load().toString()).doesNotContain("plans");
    }

    @Test
    void thePlansTheirRolesTheHeaderAndTheDefault() {
        params.put("ratelimit.plans.names", " pro, team ,, free");
        params.put("ratelimit.plans.pro.role", "pro-customers");
        params.put("ratelimit.plans.team.role", "team");
        params.put("ratelimit.plans.header", "X-Plan");
        params.put("ratelimit.plans.default", "free");
        PlanRules plans = load().plans();
        assertThat(plans.plans()).containsExactly(new PlanRules.Plan("pro", "pro-customers"),
                new PlanRules.Plan("team", "team"), new PlanRules.Plan("free", null));
        assertThat(plans.header()).isEqualTo("X-Plan");
        assertThat(plans.defaultPlan()).isEqualTo("free");
        assertThat(load().toString()).endsWith(", exempt.roles=[], plans=plans [pro (role pro-customers), "
                + "team (role team), free], header X-Plan, default free]");
    }

    @Test
    void aPlansValuesReplaceTheDeclaredOnesOfTheRuleOfThatName() {
        params.put("ratelimit.plans.names", "pro");
        params.put("ratelimit.plans.pro.rules.search.limit", "10000");
        params.put("ratelimit.plans.pro.rules.search.window", "1m");
        params.put("ratelimit.plans.pro.rules.search.algorithm", "gcra");
        params.put("ratelimit.plans.pro.rules.search.cost", "2");
        RateLimitRule pro = PlanSettings.of(name -> setting(name), "ratelimit.plans.pro.rules.", search);
        assertThat(pro).isEqualTo(RateLimitRule.custom().name("search").limit(10_000).window(Duration.ofMinutes(1))
                .algorithm(Algorithm.GCRA).cost(2).build());
        assertThat(PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", export)).as("a rule the plan does not name").isSameAs(export);
        assertThat(PlanSettings.of(this::setting, "ratelimit.plans.free.rules.", search)).as("another plan").isSameAs(search);
    }

    @Test
    void enabledFalseDropsTheRuleAndTheSameValuesAsDeclaredKeepIt() {
        params.put("ratelimit.plans.names", "pro");
        params.put("ratelimit.plans.pro.rules.export.enabled", "FALSE");
        params.put("ratelimit.plans.pro.rules.search.limit", "3");
        params.put("ratelimit.plans.pro.rules.search.enabled", "true");
        assertThat(PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", export)).isNull();
        assertThat(PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", search)).isSameAs(search);
    }

    @Test
    void systemPropertiesThenEnvironmentThenContainerParams() {
        params.put("ratelimit.plans.names", "pro");
        params.put("ratelimit.plans.pro.rules.search.limit", "10");
        env.put("RATELIMIT_PLANS_PRO_RULES_SEARCH_LIMIT", "20");
        assertThat(PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", search).limit()).isEqualTo(20);
        sys.put("ratelimit.plans.pro.rules.search.limit", "30");
        assertThat(PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", search).limit()).isEqualTo(30);
        env.put("RATELIMIT_PLANS_NAMES", "gold");
        assertThat(load().plans().plans()).containsExactly(new PlanRules.Plan("gold", null));
    }

    @Test
    void theRulesOfADeclaredListArePreparedThroughTheSettings() {
        params.put("ratelimit.plans.names", "pro");
        params.put("ratelimit.plans.pro.role", "pro");
        params.put("ratelimit.plans.pro.rules.search.limit", "0");
        PlanRules plans = load().plans();
        assertThatThrownBy(() -> plans.prepare(List.of(search)))
                .hasMessage("ratelimit.plans.pro.rules.search.limit='0' (from context-param/init-param "
                        + "ratelimit.plans.pro.rules.search.limit) is invalid: limit must be greater than 0, was 0");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ratelimit.plans.names|pro, pro|is invalid: plan 'pro' is listed twice",
        "ratelimit.plans.names|pro.gold|is invalid: plan name 'pro.gold' must be 1 to 64 letters, digits, '-' or "
            + "'_', and not one of default, header, names",
        "ratelimit.plans.names|default|is invalid: plan name 'default' must be 1 to 64 letters, digits, '-' or '_', "
            + "and not one of default, header, names",
        "ratelimit.plans.names|,|is invalid: it lists no plan",
        "ratelimit.plans.default|gold|is invalid: it must be one of the plans of ratelimit.plans.names (pro)",
        "ratelimit.plans.header|X Plan|is invalid: it must be an HTTP header name",
        "ratelimit.plans.pro.role|**|is invalid: '**' is not a role name (wildcards are not supported)"})
    void anInvalidPlanSettingIsReportedWithItsNameValueAndSource(String setting, String value, String why) {
        params.put("ratelimit.plans.names", "pro");
        params.put(setting, value);
        assertThatThrownBy(this::load).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(setting + "='" + value + "' (from context-param/init-param " + setting + ") " + why);
    }

    @Test
    void theHeaderAndTheDefaultNeedPlans() {
        env.put("RATELIMIT_PLANS_DEFAULT", "free");
        assertThatThrownBy(this::load).hasMessage("ratelimit.plans.default='free' (from environment variable "
                + "RATELIMIT_PLANS_DEFAULT) needs ratelimit.plans.names: no plan is configured");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "limit|-1|is invalid: limit must be greater than 0, was -1",
        "limit|ten|must be a whole number",
        "window|soon|is invalid: window 'soon' is not a duration; use 500ms, 10s, 1m, 1h, 1d or ISO-8601 such as PT1M",
        "window|400d|is invalid: window '400d' must be between 1ms and 366d",
        "algorithm|LEAKY|must be one of FIXED_WINDOW, SLIDING_WINDOW_LOG, SLIDING_WINDOW_COUNTER, TOKEN_BUCKET, GCRA",
        "cost|4|is invalid: cost 4 is above the limit 3: a request of that cost could never pass",
        "enabled|yes|must be true or false"})
    void anInvalidRuleValueIsReportedWithTheSettingThatMadeIt(String attribute, String value, String why) {
        String setting = "ratelimit.plans.pro.rules.search." + attribute;
        params.put(setting, value);
        assertThatThrownBy(() -> PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", search))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(setting + "='" + value + "' (from context-param/init-param " + setting + ") " + why);
    }

    @Test
    void valuesThatOnlyTogetherMakeAValidRuleAreAccepted() {
        RateLimitRule big = search.toBuilder().limit(50_000).algorithm(Algorithm.TOKEN_BUCKET).build();
        params.put("ratelimit.plans.pro.rules.search.algorithm", "SLIDING_WINDOW_LOG");
        params.put("ratelimit.plans.pro.rules.search.limit", "100");
        assertThat(PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", big).algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW_LOG);
        params.put("ratelimit.plans.pro.rules.search.limit", "20000");
        assertThatThrownBy(() -> PlanSettings.of(this::setting, "ratelimit.plans.pro.rules.", big))
                .hasMessageStartingWith("ratelimit.plans.pro.rules.search.algorithm='SLIDING_WINDOW_LOG' (from "
                        + "context-param/init-param ratelimit.plans.pro.rules.search.algorithm) is invalid: limit");
    }

    private Setting setting(String name) {
        return Setting.find(name, sys::get, env::get, null, params::get);
    }
}
