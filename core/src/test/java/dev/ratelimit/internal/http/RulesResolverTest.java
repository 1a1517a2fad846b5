package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.testing.ManualClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The request path with a {@link RulesResolver}: the rules it returns are decided, an empty list exempts, a faulty one
 * leaves the declared rules in force; and the plan table ({@link PlanRules}) finds a request's plan and computes each
 * plan's rules once.
 */
class RulesResolverTest {

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InMemoryRateLimiter memory = InMemoryRateLimiter.custom().timeSource(clock).build();
    private final RateLimitRule search = RateLimitRule.custom().name("search").limit(3).window("1m")
            .algorithm(Algorithm.FIXED_WINDOW).build();
    private final RateLimitRule searchPro = search.toBuilder().limit(10).build();
    private final RateLimitRule burst = RateLimitRule.custom().name("burst").limit(1).window("1s")
            .algorithm(Algorithm.FIXED_WINDOW).build();
    private final List<RateLimitRule> declared = List.of(search);

    private RequestDecider decider(Exemptions exemptions) {
        return new RequestDecider(memory, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.IETF), false,
                MicrometerMetrics.of(registry), null, exemptions);
    }

    private RequestDecider.Verdict check(RulesResolver resolver, FakeRequest request) {
        return decider(Exemptions.none()).check(declared, request, resolver, null, null, "/search");
    }

    private double count(String limit, String outcome, String store) {
        Counter counter = registry.find("ratelimit.decisions")
                .tags("limit", limit, "outcome", outcome, "store", store).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void theResolversRulesAreDecided() {
        RulesResolver pro = (request, rules) -> List.of(searchPro, burst);
        RequestDecider.Verdict first = check(pro, FakeRequest.from("203.0.113.7"));
        assertThat(first.reject()).isFalse();
        assertThat(first.headers()).extracting(RateLimitHeaders.Header::value)
                .containsExactly("\"search\";q=10;w=60, \"burst\";q=1;w=1", "\"burst\";r=0;t=1");
        RequestDecider.Verdict second = check(pro, FakeRequest.from("203.0.113.7"));
        assertThat(second.reject()).isTrue();
        assertThat(second.decision().reported().rule()).isEqualTo(burst);
        assertThat(memory.acquire("ip:203.0.113.7", search).remaining()).as("the declared counter is untouched")
                .isEqualTo(2);
    }

    @Test
    void anEmptyListExemptsAndIsCountedAsExemptUnderTheFirstDeclaredRule() {
        AtomicInteger asked = new AtomicInteger();
        RulesResolver none = (request, rules) -> {
            asked.incrementAndGet();
            assertThat(rules).isSameAs(declared);
            return List.of();
        };
        for (int i = 0; i < 4; i++) {
            RequestDecider.Verdict v = check(none, FakeRequest.from("203.0.113.7"));
            assertThat(v).isSameAs(RequestDecider.Verdict.EXEMPT);
        }
        assertThat(asked).hasValue(4);
        assertThat(count("search", "exempt", "none")).isEqualTo(4);
        assertThat(memory.acquire("ip:203.0.113.7", search).remaining()).isEqualTo(2);
    }

    @Test
    void aClientExemptByConfigurationIsNotAskedAbout() {
        AtomicInteger asked = new AtomicInteger();
        RulesResolver counting = (request, rules) -> {
            asked.incrementAndGet();
            return rules;
        };
        RequestDecider d = decider(Exemptions.of(TrustedProxies.none(), Set.of("monitor"), List.of()));
        assertThat(d.check(declared, FakeRequest.from("203.0.113.7").principal("monitor"), counting, null, null, "/")
                .exempt()).isTrue();
        assertThat(asked).hasValue(0);
        assertThat(d.check(declared, FakeRequest.from("203.0.113.7").principal("alice"), counting, null, null, "/")
                .exempt()).isFalse();
        assertThat(asked).hasValue(1);
    }

    @Test
    void aFaultyResolverLeavesTheDeclaredRulesInForce() {
        List<RateLimitRule> withNull = new ArrayList<>();
        withNull.add(null);
        List<RateLimitRule> seventeen = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            seventeen.add(search.toBuilder().name("r" + i).build());
        }
        List<RulesResolver> faulty = List.of(
                (request, rules) -> {
                    throw new IllegalStateException("down");
                },
                (request, rules) -> null,
                (request, rules) -> Collections.unmodifiableList(withNull),
                (request, rules) -> List.of(search, search),
                (request, rules) -> seventeen);
        int n = 0;
        for (RulesResolver resolver : faulty) {
            RequestDecider.Verdict v = check(resolver, FakeRequest.from("198.51.100." + ++n));
            assertThat(v.exempt()).isFalse();
            assertThat(v.decision().limits()).hasSize(1);
            assertThat(v.decision().reported().rule()).isSameAs(search);
            assertThat(v.decision().remaining()).isEqualTo(2);
        }
    }

    @Test
    void thePlanTableFindsTheFirstPlanTheRequestBelongsToThenTheDefault() {
        PlanRules plans = new PlanRules(List.of(new PlanRules.Plan("pro", "pro"), new PlanRules.Plan("team", "team"),
                new PlanRules.Plan("free", null)), "X-Plan", 2, (plan, rule) -> rule);
        assertThat(plans.planOf(FakeRequest.from("203.0.113.7").principal("bob").roles("team", "pro"))).isZero();
        assertThat(plans.planOf(FakeRequest.from("203.0.113.7").principal("bob").roles("team"))).isEqualTo(1);
        assertThat(plans.planOf(FakeRequest.from("203.0.113.7").roles("pro"))).as("no principal, no role")
                .isEqualTo(2);
        assertThat(plans.planOf(FakeRequest.from("203.0.113.7").header("X-Plan", "team"))).isEqualTo(1);
        assertThat(plans.planOf(FakeRequest.from("203.0.113.7").header("X-Plan", "Team"))).isEqualTo(2);
        assertThat(plans.planOf(FakeRequest.from("203.0.113.7").principal("bob").roles("pro")
                .header("X-Plan", "team"))).as("the first plan in the configured order wins").isZero();
        assertThat(plans).hasToString("plans [pro (role pro), team (role team), free], header X-Plan, default free");
        PlanRules noDefault = new PlanRules(List.of(new PlanRules.Plan("pro", "pro")), null, -1, (plan, rule) -> rule);
        assertThat(noDefault.planOf(FakeRequest.from("203.0.113.7").principal("alice"))).isEqualTo(-1);
    }

    @Test
    void eachPlansRulesAreComputedOncePerDeclaredListAndUnchangedListsAreTheDeclaredOne() {
        AtomicInteger computed = new AtomicInteger();
        PlanRules plans = new PlanRules(List.of(new PlanRules.Plan("pro", "pro"), new PlanRules.Plan("free", "free")),
                null, -1, (plan, rule) -> {
                    computed.incrementAndGet();
                    return plan.equals("pro") && rule.name().equals("search") ? searchPro
                            : plan.equals("pro") && rule.name().equals("burst") ? null : rule;
                });
        List<RateLimitRule> two = List.of(search, burst);
        plans.prepare(two);
        assertThat(computed).hasValue(4);
        FakeRequest pro = FakeRequest.from("203.0.113.7").principal("bob").roles("pro");
        FakeRequest free = FakeRequest.from("203.0.113.7").principal("alice").roles("free");
        FakeRequest none = FakeRequest.from("203.0.113.7").principal("carol");
        List<RateLimitRule> proRules = plans.resolve(pro, two);
        assertThat(proRules).containsExactly(searchPro);
        assertThat(plans.resolve(pro, two)).isSameAs(proRules);
        assertThat(plans.resolve(free, two)).isSameAs(two);
        assertThat(plans.resolve(none, two)).isSameAs(two);
        assertThat(computed).as("no rule built per request").hasValue(4);
        assertThat(plans.resolve(pro, List.of(burst))).as("a plan that drops every rule exempts").isEmpty();
    }

    @Test
    void aPlanMakingTheSameCounterTwiceIsRefusedNamingThePlan() {
        RateLimitRule otherName = searchPro.toBuilder().name("other").build();
        PlanRules plans = new PlanRules(List.of(new PlanRules.Plan("pro", "pro")), null, -1,
                (plan, rule) -> rule.name().equals("other") ? searchPro : rule == search ? searchPro : rule);
        List<RateLimitRule> list = List.of(search, otherName);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plans.prepare(list))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The plan 'pro' (ratelimit.plans.pro.rules.*) makes invalid rules of ");
    }
}
