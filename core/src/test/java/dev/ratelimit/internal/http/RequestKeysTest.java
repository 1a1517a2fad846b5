package dev.ratelimit.internal.http;

import dev.ratelimit.http.KeyResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import org.junit.jupiter.api.Test;

class RequestKeysTest {

    private final RequestKeys keys = RequestKeys.ofDefaults();
    private final RateLimitRule principalOrIp = rule(KeySource.PRINCIPAL_OR_IP, "");
    private final RateLimitRule ip = rule(KeySource.IP, "");
    private final RateLimitRule header = rule(KeySource.HEADER, "X-Api-Key");
    private final RateLimitRule custom = rule(KeySource.CUSTOM, "");

    private static RateLimitRule rule(KeySource source, String keyHeader) {
        return RateLimitRule.custom().name("r").limit(10).window("1s").key(source).keyHeader(keyHeader).build();
    }

    @Test
    void principalOrIp() {
        assertThat(keys.keyFor(principalOrIp, FakeRequest.from("203.0.113.7").principal("alice"), null))
                .isEqualTo("user:alice");
        assertThat(keys.keyFor(principalOrIp, FakeRequest.from("203.0.113.7"), null)).isEqualTo("ip:203.0.113.7");
        assertThat(keys.keyFor(principalOrIp, FakeRequest.from("203.0.113.7").principal(" "), null))
                .isEqualTo("ip:203.0.113.7");
        assertThat(keys.keyFor(principalOrIp, FakeRequest.from("203.0.113.8").principal(""), null))
                .isEqualTo("ip:203.0.113.8");
    }

    @Test
    void typePrefixesKeepAUserNamedLikeAnIpApartFromThatIp() {
        String user = keys.keyFor(principalOrIp, FakeRequest.from("203.0.113.7").principal("10.0.0.1"), null);
        String address = keys.keyFor(ip, FakeRequest.from("10.0.0.1"), null);
        assertThat(user).isEqualTo("user:10.0.0.1");
        assertThat(address).isEqualTo("ip:10.0.0.1");
    }

    @Test
    void ipIgnoresThePrincipal() {
        assertThat(keys.keyFor(ip, FakeRequest.from("203.0.113.7").principal("alice"), null))
                .isEqualTo("ip:203.0.113.7");
        assertThat(keys.keyFor(ip, FakeRequest.from("0:0:0:0:0:0:0:1"), null)).isEqualTo("ip:::1");
    }

    @Test
    void headerKeyIsTheFirstValueTrimmedElseTheIp() {
        assertThat(keys.keyFor(header, FakeRequest.from("203.0.113.7").header("x-api-key", " k-123 ", "k-456"), null))
                .isEqualTo("header:k-123");
        assertThat(keys.keyFor(header, FakeRequest.from("203.0.113.7"), null)).isEqualTo("ip:203.0.113.7");
        assertThat(keys.keyFor(header, FakeRequest.from("203.0.113.8").header("X-Api-Key", "  "), null))
                .isEqualTo("ip:203.0.113.8");
        assertThat(keys.keyFor(header, FakeRequest.from("203.0.113.7").principal("alice"), null))
                .isEqualTo("ip:203.0.113.7");
    }

    @Test
    void customKeyElseTheIp() {
        KeyResolver tenant = request -> request.headerValues("X-Tenant").isEmpty() ? null
                : request.headerValues("X-Tenant").get(0);
        assertThat(keys.keyFor(custom, FakeRequest.from("203.0.113.7").header("X-Tenant", "tenant-9"), tenant))
                .isEqualTo("custom:tenant-9");
        assertThat(keys.keyFor(custom, FakeRequest.from("203.0.113.7"), tenant)).isEqualTo("ip:203.0.113.7");
        assertThat(keys.keyFor(custom, FakeRequest.from("203.0.113.7"), request -> " ")).isEqualTo("ip:203.0.113.7");
        assertThat(keys.keyFor(custom, FakeRequest.from("203.0.113.7"), null)).isEqualTo("ip:203.0.113.7");
        assertThat(keys.keyFor(custom, FakeRequest.from("203.0.113.7").principal("alice"), request -> null))
                .isEqualTo("ip:203.0.113.7");
    }

    @Test
    void missingKeysFallBackToEachClientsOwnIpNeverToOneSharedKey() {
        for (RateLimitRule rule : new RateLimitRule[] {principalOrIp, header, custom}) {
            String a = keys.keyFor(rule, FakeRequest.from("203.0.113.7"), request -> null);
            String b = keys.keyFor(rule, FakeRequest.from("198.51.100.1"), request -> null);
            assertThat(a).isEqualTo("ip:203.0.113.7");
            assertThat(b).isEqualTo("ip:198.51.100.1");
        }
    }

    @Test
    void ipv6ClientsGroupedByPrefix() {
        RequestKeys by64 = RequestKeys.custom().ipv6PrefixLength(64).build();
        assertThat(by64.keyFor(ip, FakeRequest.from("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), null))
                .isEqualTo("ip:2001:db8:1:2::/64");
        assertThat(by64.keyFor(ip, FakeRequest.from("2001:db8:1:2::1"), null)).isEqualTo("ip:2001:db8:1:2::/64");
        assertThat(by64.keyFor(ip, FakeRequest.from("2001:db8:1:3::1"), null)).isEqualTo("ip:2001:db8:1:3::/64");
        assertThat(by64.keyFor(ip, FakeRequest.from("203.0.113.7"), null)).isEqualTo("ip:203.0.113.7");
        assertThat(by64.keyFor(ip, FakeRequest.from("::ffff:203.0.113.7"), null)).isEqualTo("ip:203.0.113.7");
        assertThat(by64.keyFor(principalOrIp, FakeRequest.from("2001:db8:1:2::1").principal("bob"), null))
                .isEqualTo("user:bob");

        assertThat(RequestKeys.custom().ipv6PrefixLength(48).build()
                .keyFor(ip, FakeRequest.from("2001:db8:1:2::1"), null)).isEqualTo("ip:2001:db8:1::/48");
        assertThat(RequestKeys.custom().ipv6PrefixLength(56).build()
                .keyFor(ip, FakeRequest.from("2001:db8:1:2ff::1"), null)).isEqualTo("ip:2001:db8:1:200::/56");
        assertThat(RequestKeys.custom().ipv6PrefixLength(0).build()
                .keyFor(ip, FakeRequest.from("2001:db8:1:2::1"), null)).isEqualTo("ip:::/0");
        assertThat(keys.keyFor(ip, FakeRequest.from("2001:db8:1:2::1"), null)).isEqualTo("ip:2001:db8:1:2::1");
        assertThat(keys.ipv6PrefixLength()).isEqualTo(128);
    }

    @Test
    void forwardedClientThroughTrustedProxies() {
        RequestKeys behindProxy = RequestKeys.custom().trustedProxies(TrustedProxies.parse("10.0.0.0/8"))
                .ipv6PrefixLength(64).build();
        FakeRequest r = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "6.6.6.6, 2001:db8:1:2::77, 10.0.0.9");
        assertThat(behindProxy.keyFor(ip, r, null)).isEqualTo("ip:2001:db8:1:2::/64");
        assertThat(behindProxy.keyFor(principalOrIp, FakeRequest.from("198.51.100.1")
                .header("X-Forwarded-For", "6.6.6.6"), null)).isEqualTo("ip:198.51.100.1");
        assertThat(behindProxy).hasToString("RequestKeys[trustedProxies=[10.0.0.0/8], ipv6PrefixLength=64]");
    }

    @Test
    void peerThatIsNoAddress() {
        assertThat(keys.keyFor(ip, FakeRequest.from("/run/app.sock"), null)).isEqualTo("ip:/run/app.sock");
    }

    /** Issue 16, defect 9: no peer address is never one shared {@code ip:unknown} key; the request fails instead. */
    @Test
    void noPeerAddressFailsTheRequestInsteadOfSharingOneKey() {
        for (String none : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> keys.keyFor(ip, FakeRequest.from(none), null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no client address")
                    .hasMessageContaining("PeerAddress");
            assertThatThrownBy(() -> keys.keyFor(principalOrIp, FakeRequest.from(none), null))
                    .isInstanceOf(IllegalStateException.class);
        }
        // a request whose own key needs no address is counted as usual
        assertThat(keys.keyFor(principalOrIp, FakeRequest.from(null).principal("alice"), null))
                .isEqualTo("user:alice");
    }

    @Test
    void builderRejectsInvalidValues() {
        assertThatThrownBy(() -> RequestKeys.custom().ipv6PrefixLength(129))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ipv6PrefixLength must be from 0 to 128, was 129");
        assertThatThrownBy(() -> RequestKeys.custom().ipv6PrefixLength(-1))
                .hasMessage("ipv6PrefixLength must be from 0 to 128, was -1");
        assertThatThrownBy(() -> RequestKeys.custom().trustedProxies(null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
