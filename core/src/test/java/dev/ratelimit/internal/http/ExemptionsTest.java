package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.MicrometerMetrics;
import dev.ratelimit.testing.ManualClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Exempt clients (networks, principals, roles) in the request path both bindings share: who is exempt, and that an
 * exempt request reaches no store, gets no header and is counted as exempt.
 */
class ExemptionsTest {

    private static final RequestKeys BEHIND_PROXY = RequestKeys.custom()
            .trustedProxies(TrustedProxies.parse("10.0.0.0/8")).ipv6PrefixLength(48).build();
    private static final Exemptions NETWORKS = Exemptions.of(
            TrustedProxies.parse("192.0.2.0/24, 2001:db8::/32", "exempt network"), Set.of(), List.of());

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InMemoryRateLimiter memory = InMemoryRateLimiter.custom().timeSource(clock).build();
    private final RateLimitRule search = RateLimitRule.custom().name("search").limit(2).window("1m")
            .algorithm(Algorithm.FIXED_WINDOW).build();

    @Test
    void withoutExemptionsTheRequestIsNotEvenLookedAt() {
        RequestView untouchable = (RequestView) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {RequestView.class}, (proxy, method, args) -> {
                    throw new AssertionError("looked at " + method.getName());
                });
        assertThat(Exemptions.none().any()).isFalse();
        assertThat(Exemptions.none().exempts(untouchable, BEHIND_PROXY)).isFalse();
        assertThat(Exemptions.of(TrustedProxies.none(), Set.of(), List.of())).isSameAs(Exemptions.none());
        assertThat(Exemptions.none()).hasToString("none");
    }

    @Test
    void aNetworkMatchesTheClientAddressAsItIsCountedThroughTrustedProxiesOnly() {
        assertThat(NETWORKS.exempts(FakeRequest.from("192.0.2.5"), BEHIND_PROXY)).as("the peer").isTrue();
        assertThat(NETWORKS.exempts(FakeRequest.from("::ffff:192.0.2.5"), BEHIND_PROXY)).as("IPv4-mapped").isTrue();
        assertThat(NETWORKS.exempts(FakeRequest.from("2001:db8:ffff::1"), BEHIND_PROXY)).isTrue();
        assertThat(NETWORKS.exempts(FakeRequest.from("2001:db9::1"), BEHIND_PROXY)).isFalse();
        assertThat(NETWORKS.exempts(FakeRequest.from("10.0.0.1").header("X-Forwarded-For", "192.0.2.5"),
                BEHIND_PROXY)).as("forwarded by a trusted proxy").isTrue();
        assertThat(NETWORKS.exempts(FakeRequest.from("10.0.0.1").header("Forwarded", "for=\"[2001:db8::9]:443\""),
                BEHIND_PROXY)).isTrue();
        assertThat(NETWORKS.exempts(FakeRequest.from("10.0.0.1"), BEHIND_PROXY)).as("the proxy itself").isFalse();
        assertThat(NETWORKS.exempts(FakeRequest.from("203.0.113.1").header("X-Forwarded-For", "192.0.2.5"),
                BEHIND_PROXY)).as("an untrusted peer's header is its own word").isFalse();
        assertThat(NETWORKS.exempts(FakeRequest.from("10.0.0.1").header("X-Forwarded-For", "192.0.2.5, 203.0.113.1"),
                BEHIND_PROXY)).as("what the client prepended").isFalse();
        assertThat(NETWORKS.exempts(FakeRequest.from("192.0.2.5").header("X-Forwarded-For", "203.0.113.1"),
                RequestKeys.ofDefaults())).as("no trusted proxy: the peer").isTrue();
        assertThat(NETWORKS.exempts(FakeRequest.from(null), BEHIND_PROXY)).isFalse();
        assertThat(NETWORKS.exempts(FakeRequest.from("unix:/run/app.sock"), BEHIND_PROXY)).isFalse();
        assertThat(NETWORKS.exempts(FakeRequest.from("2001:db8::1").principal("alice").roles("ops"), BEHIND_PROXY))
                .isTrue();
    }

    @Test
    void principalsMatchExactlyAndRolesNeedAPrincipal() {
        Exemptions e = Exemptions.of(TrustedProxies.none(), Set.of("monitor"), List.of("ops", "admin"));
        assertThat(e.exempts(FakeRequest.from("203.0.113.1").principal("monitor"), RequestKeys.ofDefaults())).isTrue();
        assertThat(e.exempts(FakeRequest.from("203.0.113.1").principal("Monitor"), RequestKeys.ofDefaults()))
                .isFalse();
        assertThat(e.exempts(FakeRequest.from("203.0.113.1"), RequestKeys.ofDefaults())).isFalse();
        assertThat(e.exempts(FakeRequest.from("203.0.113.1").principal("bob").roles("admin"),
                RequestKeys.ofDefaults())).isTrue();
        assertThat(e.exempts(FakeRequest.from("203.0.113.1").principal("bob").roles("Admin", "dev"),
                RequestKeys.ofDefaults())).isFalse();
        assertThat(e.exempts(FakeRequest.from("203.0.113.1").roles("admin"), RequestKeys.ofDefaults()))
                .as("no principal, no role").isFalse();
        assertThat(e).hasToString("principals [monitor], roles [ops, admin]");
    }

    @Test
    void anExemptRequestReachesNoStoreGetsNoHeaderAndIsCountedAsExempt() {
        Exemptions exemptions = Exemptions.of(TrustedProxies.none(), Set.of("monitor"), List.of());
        RequestDecider decider = new RequestDecider(memory, RequestKeys.ofDefaults(),
                HeaderFormat.of(HeaderStyle.BOTH), false, MicrometerMetrics.of(registry), null, exemptions);
        RateLimitRule other = RateLimitRule.custom().name("other").limit(1).window("1m").build();
        for (int i = 0; i < 5; i++) {
            RequestDecider.Verdict verdict = decider.check(List.of(search, other),
                    FakeRequest.from("203.0.113.7").principal("monitor"), null, null, "/search");
            assertThat(verdict).isSameAs(RequestDecider.Verdict.EXEMPT);
            assertThat(verdict.exempt()).isTrue();
            assertThat(verdict.reject()).isFalse();
            assertThat(verdict.headers()).isEmpty();
            assertThat(verdict.decision()).isNull();
        }
        assertThat(memory.acquire("user:monitor", search).remaining()).as("nothing was counted").isEqualTo(1);
        assertThat(memory.acquire("ip:203.0.113.7", search).remaining()).isEqualTo(1);

        RequestDecider.Verdict counted = decider.check(List.of(search), FakeRequest.from("203.0.113.7")
                .principal("alice"), null, null, "/search");
        assertThat(counted.exempt()).isFalse();
        assertThat(counted.decision().remaining()).isEqualTo(1);
        assertThat(count("search", "exempt", "none")).as("under the first limit").isEqualTo(5);
        assertThat(count("other", "exempt", "none")).isZero();
        assertThat(count("search", "allowed", "memory")).isEqualTo(1);
    }

    @Test
    void theSettingsGiveTheDeciderTheirExemptions() {
        dev.ratelimit.internal.config.RateLimitSettings settings = dev.ratelimit.internal.config.RateLimitSettings
                .load(name -> name.equals("ratelimit.exempt.networks") ? "203.0.113.0/24" : null);
        RequestDecider decider = settings.requestDecider(memory, MicrometerMetrics.of(registry));
        assertThat(decider.check(List.of(search), FakeRequest.from("203.0.113.7"), null, null, "/").exempt())
                .isTrue();
        assertThat(decider.check(List.of(search), FakeRequest.from("198.51.100.7"), null, null, "/").exempt())
                .isFalse();
    }

    private double count(String limit, String outcome, String store) {
        Counter counter = registry.find("ratelimit.decisions")
                .tags("limit", limit, "outcome", outcome, "store", store).counter();
        return counter == null ? 0 : counter.count();
    }
}
