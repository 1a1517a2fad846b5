package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedProxiesTest {

    private final TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.10, 2001:db8::/32, ::1");

    private String client(TrustedProxies trusted, FakeRequest request) {
        return trusted.clientAddress(request);
    }

    @Test
    void noTrustedProxyMeansThePeerWhateverTheHeadersSay() {
        FakeRequest r = FakeRequest.from("203.0.113.7").header("X-Forwarded-For", "1.2.3.4")
                .header("Forwarded", "for=5.6.7.8");
        assertThat(client(TrustedProxies.none(), r)).isEqualTo("203.0.113.7");
        assertThat(client(TrustedProxies.parse(null), r)).isEqualTo("203.0.113.7");
        assertThat(client(TrustedProxies.parse("  "), r)).isEqualTo("203.0.113.7");
    }

    @Test
    void untrustedPeerWithSpoofedHeaderIsThePeer() {
        FakeRequest r = FakeRequest.from("198.51.100.1").header("X-Forwarded-For", "10.0.0.1, 1.2.3.4");
        assertThat(client(proxies, r)).isEqualTo("198.51.100.1");
    }

    @Test
    void trustedPeerGivesTheRightMostUntrustedAddress() {
        FakeRequest r = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "1.2.3.4, 203.0.113.9");
        assertThat(client(proxies, r)).isEqualTo("203.0.113.9");
    }

    @Test
    void chainsOfTrustedProxiesAreSkipped() {
        FakeRequest oneLine = FakeRequest.from("10.0.0.5")
                .header("X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.0.0.7 ,192.168.1.10");
        assertThat(client(proxies, oneLine)).isEqualTo("203.0.113.9");

        FakeRequest severalLines = FakeRequest.from("::1")
                .header("x-forwarded-for", "6.6.6.6, 203.0.113.9", "10.1.2.3", "", "192.168.1.10");
        assertThat(client(proxies, severalLines)).isEqualTo("203.0.113.9");

        FakeRequest emptyElements = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "203.0.113.9,, ,10.0.0.7,");
        assertThat(client(proxies, emptyElements)).isEqualTo("203.0.113.9");
    }

    @Test
    void allEntriesTrustedGivesTheLeftMost() {
        FakeRequest r = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "10.0.0.1, 192.168.1.10, 10.0.0.2");
        assertThat(client(proxies, r)).isEqualTo("10.0.0.1");
    }

    @Test
    void trustedPeerWithoutHeaderIsThePeer() {
        assertThat(client(proxies, FakeRequest.from("10.0.0.5"))).isEqualTo("10.0.0.5");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5").header("X-Forwarded-For", " "))).isEqualTo("10.0.0.5");
    }

    @Test
    void portsAndBracketsAreStripped() {
        assertThat(client(proxies, FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "203.0.113.9:51234")))
                .isEqualTo("203.0.113.9");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "[2a00:1450::9]:443")))
                .isEqualTo("2a00:1450::9");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "[2a00:1450::9]")))
                .isEqualTo("2a00:1450::9");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "2A00:1450:0:0::9")))
                .isEqualTo("2a00:1450::9");
    }

    @Test
    void forwardedHeaderIsReadWhenThereIsNoXForwardedFor() {
        assertThat(forwarded("for=192.0.2.60;proto=http;by=203.0.113.43")).isEqualTo("192.0.2.60");
        assertThat(forwarded("For=\"[2001:db9:cafe::17]:4711\"")).isEqualTo("2001:db9:cafe::17");
        assertThat(forwarded("for=\"[2001:db9:cafe::17]\"")).isEqualTo("2001:db9:cafe::17");
        assertThat(forwarded("for=192.0.2.43:8080")).isEqualTo("192.0.2.43");
        assertThat(forwarded("for=\"192.0.2.43:_port9\"")).isEqualTo("192.0.2.43");
        assertThat(forwarded("proto=https; for = 192.0.2.43")).isEqualTo("192.0.2.43");
        assertThat(forwarded("for=198.51.100.17, for=10.0.0.3;by=10.0.0.4")).isEqualTo("198.51.100.17");
        assertThat(forwarded("for=\"\\[2001:db9::1\\]\"")).isEqualTo("2001:db9::1");
        // several header lines are one list
        FakeRequest lines = FakeRequest.from("10.0.0.5").header("Forwarded", "for=6.6.6.6, for=198.51.100.17",
                "for=10.0.0.3");
        assertThat(client(proxies, lines)).isEqualTo("198.51.100.17");
    }

    @Test
    void forwardedUnknownObfuscatedOrBrokenElementsStopTheWalk() {
        assertThat(forwarded("for=unknown")).isEqualTo("10.0.0.5");
        assertThat(forwarded("for=6.6.6.6, for=unknown, for=10.0.0.3")).isEqualTo("10.0.0.3");
        assertThat(forwarded("for=_hidden, for=10.0.0.3")).isEqualTo("10.0.0.3");
        assertThat(forwarded("for=\"_gazonk\"")).isEqualTo("10.0.0.5");
        assertThat(forwarded("proto=https")).isEqualTo("10.0.0.5"); // an element without for=
        assertThat(forwarded("for=6.6.6.6;for=7.7.7.7")).isEqualTo("10.0.0.5"); // two for= in one element
        assertThat(forwarded("for=\"6.6.6.6")).isEqualTo("10.0.0.5"); // unterminated quote
        assertThat(forwarded("garbage, for=10.0.0.3")).isEqualTo("10.0.0.3");
    }

    @Test
    void xForwardedForWinsOverForwarded() {
        FakeRequest r = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "203.0.113.9")
                .header("Forwarded", "for=198.51.100.17");
        assertThat(client(proxies, r)).isEqualTo("203.0.113.9");
    }

    @Test
    void ipv6CidrRanges() {
        FakeRequest viaV6Proxy = FakeRequest.from("2001:db8:0:0:0:0:0:1")
                .header("X-Forwarded-For", "2a00:1450:4001:0:0:0:0:200e, 2001:db8:ffff::2");
        assertThat(client(proxies, viaV6Proxy)).isEqualTo("2a00:1450:4001::200e");
        FakeRequest untrustedV6 = FakeRequest.from("2001:db9::1").header("X-Forwarded-For", "1.2.3.4");
        assertThat(client(proxies, untrustedV6)).isEqualTo("2001:db9::1");
        assertThat(proxies.isTrusted("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(proxies.isTrusted("2001:db9::")).isFalse();
        assertThat(proxies.isTrusted("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(proxies.isTrusted("::2")).isFalse();
        assertThat(TrustedProxies.parse("fe80::/10").isTrusted("fe80::1%eth0")).isTrue();
    }

    @Test
    void malformedEntriesStopAtTheLastValidAddress() {
        assertThat(client(proxies, FakeRequest.from("10.0.0.5")
                .header("X-Forwarded-For", "203.0.113.9, garbage, 10.0.0.7"))).isEqualTo("10.0.0.7");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5")
                .header("X-Forwarded-For", "203.0.113.9, evil.example.com"))).isEqualTo("10.0.0.5");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5")
                .header("X-Forwarded-For", "1.2.3.4, 999.1.1.1"))).isEqualTo("10.0.0.5");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5")
                .header("X-Forwarded-For", "1.2.3.4, unknown"))).isEqualTo("10.0.0.5");
        assertThat(client(proxies, FakeRequest.from("10.0.0.5")
                .header("X-Forwarded-For", "010.0.0.1"))).isEqualTo("10.0.0.5"); // leading zeros: octal? rejected
        assertThat(client(proxies, FakeRequest.from("10.0.0.5")
                .header("X-Forwarded-For", "1.2.3.4:99999"))).isEqualTo("10.0.0.5");
    }

    @Test
    void hugeHeadersCostAtMostThirtyTwoEntries() {
        StringBuilder spoofed = new StringBuilder();
        while (spoofed.length() < 10_000) {
            spoofed.append("1.2.3.4, ");
        }
        FakeRequest r = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", spoofed + "203.0.113.9, 10.0.0.7");
        assertThat(client(proxies, r)).isEqualTo("203.0.113.9");

        // 1,000 trusted entries: only the right-most 32 are examined, the left-most of those is the answer
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            entries.add("10.0." + (i / 250) + "." + (i % 250));
        }
        FakeRequest allTrusted = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", String.join(", ", entries));
        assertThat(client(proxies, allTrusted)).isEqualTo(entries.get(1_000 - TrustedProxies.MAX_HOPS));

        FakeRequest oneHugeEntry = FakeRequest.from("10.0.0.5").header("X-Forwarded-For", "9".repeat(10_000));
        assertThat(client(proxies, oneHugeEntry)).isEqualTo("10.0.0.5");

        List<String> elements = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            elements.add("for=10.0." + (i / 250) + "." + (i % 250));
        }
        FakeRequest forwarded = FakeRequest.from("10.0.0.5").header("Forwarded", String.join(", ", elements));
        assertThat(client(proxies, forwarded)).isEqualTo(entries.get(1_000 - TrustedProxies.MAX_HOPS));
        FakeRequest hugeQuoted = FakeRequest.from("10.0.0.5").header("Forwarded", "for=\"" + "a".repeat(10_000) + "\"");
        assertThat(client(proxies, hugeQuoted)).isEqualTo("10.0.0.5");
    }

    @Test
    void ipv4MappedAddressesBecomeIpv4() {
        assertThat(client(proxies, FakeRequest.from("::ffff:10.0.0.5").header("X-Forwarded-For", "::ffff:203.0.113.9")))
                .isEqualTo("203.0.113.9");
        assertThat(client(TrustedProxies.none(), FakeRequest.from("::FFFF:203.0.113.7"))).isEqualTo("203.0.113.7");
        assertThat(client(TrustedProxies.none(), FakeRequest.from("0:0:0:0:0:ffff:cb00:7107"))).isEqualTo("203.0.113.7");
        assertThat(TrustedProxies.parse("::ffff:10.0.0.0/104").isTrusted("10.9.9.9")).isTrue();
        assertThat(TrustedProxies.parse("::ffff:10.0.0.0/104")).isEqualTo(TrustedProxies.parse("10.0.0.0/8"));
    }

    @ParameterizedTest
    @CsvSource({
        "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0db8:0000:0000:0000:0000:0002:0001, 2001:db8::2:1",
        "0:0:0:0:0:0:0:0, ::",
        "fe80:0:0:0:0:0:0:1%eth0, fe80::1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "::1.2.3.4, ::102:304",
        "1::, 1::",
    })
    void ipv6IsCanonical(String peer, String expected) {
        assertThat(client(TrustedProxies.none(), FakeRequest.from(peer))).isEqualTo(expected);
    }

    @Test
    void peerThatIsNoAddress() {
        assertThat(client(proxies, FakeRequest.from(null))).isEqualTo("unknown");
        assertThat(client(proxies, FakeRequest.from(" "))).isEqualTo("unknown");
        assertThat(client(proxies, FakeRequest.from(" /run/app.sock "))).isEqualTo("/run/app.sock");
    }

    @Test
    void parseIsWhitespaceTolerantAndCanonical() {
        TrustedProxies p = TrustedProxies.parse(" 10.1.2.3/8 ,\t2001:DB8::/32, ,::1 ,");
        assertThat(p).hasToString("[10.0.0.0/8, 2001:db8::/32, ::1/128]");
        assertThat(p.isTrusted("10.255.255.255")).isTrue();
        assertThat(p.isTrusted("11.0.0.0")).isFalse();
        assertThat(p.isTrusted("not-an-ip")).isFalse();
        assertThat(p.isTrusted(null)).isFalse();
        assertThat(TrustedProxies.parse("0.0.0.0/0").isTrusted("203.0.113.7")).isTrue();
        assertThat(TrustedProxies.parse("0.0.0.0/0").isTrusted("::1")).isFalse();
        assertThat(TrustedProxies.parse("192.168.1.0/25").isTrusted("192.168.1.127")).isTrue();
        assertThat(TrustedProxies.parse("192.168.1.0/25").isTrusted("192.168.1.128")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com", "cafe", "10.0.0.256", "10.0.0", "10.0.0.0/33",
        "10.0.0.0/", "10.0.0.0/-1", "2001:db8::/129", "1:2:3:4:5:6:7:8:9", "1::2::3", "::ffff:10.0.0.0/8",
        "fe80::1%eth0", "12345::", "10.0.0.1:80"})
    void parseRejectsAnythingButAddressesAndRanges(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/8, " + entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted proxy '" + entry + "' is not an IP address or CIDR range such as 10.0.0.0/8, "
                        + "192.168.1.10, 2001:db8::/32 or ::1");
    }

    private String forwarded(String value) {
        return client(proxies, FakeRequest.from("10.0.0.5").header("Forwarded", value));
    }
}
