package dev.ratelimit.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.client.RateLimitFields.Observation;
import dev.ratelimit.client.RateLimitFields.PolicyFields;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How response fields are read, the HTTP-date formats, the state's arithmetic and the builder's checks. */
class RateLimitFieldsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00.250Z");

    private static Observation read(Map<String, String> fields, boolean refused) {
        return RateLimitFields.read(name -> fields.containsKey(name) ? List.of(fields.get(name)) : null, refused, NOW);
    }

    @Test
    void theIetfFieldsWinAndPolicyDefinitionsAreKept() {
        Observation o = read(Map.of(
                "RateLimit-Policy", "\"burst\";q=100;w=60, \"daily\";q=1000;w=86400;qu=\"requests\";pk=:YWJj:",
                "RateLimit", "\"burst\";r=0;t=12",
                "RateLimit-Remaining", "50",
                "X-RateLimit-Remaining", "50"), false);
        assertThat(o.definitions()).containsExactly(new PolicyFields("burst", 100, 60, null, -1, -1),
                new PolicyFields("daily", 1000, 86400, "requests", -1, -1));
        assertThat(o.current()).containsExactly(new PolicyFields("burst", -1, -1, null, 0, 12));
        assertThat(o.retryAfter()).isNull();
    }

    @Test
    void tokensAreAcceptedAsPolicyNamesAndBadItemsSkipped() {
        Observation o = read(Map.of("RateLimit-Policy", "default;q=5;w=10, \"noq\";w=1, \"badw\";q=1;w=-1, (1 2)",
                "RateLimit", "default;r=3, \"neg\";r=-1, \"bad-t\";r=0;t=1.5, 7;r=1, \"twice\";r=1, twice;r=0"),
                false);
        assertThat(o.definitions()).extracting(PolicyFields::name).containsExactly("default");
        assertThat(o.current()).containsExactly(new PolicyFields("default", -1, -1, null, 3, -1));
    }

    @Test
    void draft07FieldsAreTheUnnamedPolicy() {
        Observation o = read(Map.of("RateLimit-Limit", "100", "RateLimit-Remaining", "0", "RateLimit-Reset", "12",
                "RateLimit-Policy", "100;w=60", "X-RateLimit-Remaining", "5"), false);
        assertThat(o.current()).containsExactly(new PolicyFields("", 100, -1, null, 0, 12));
        assertThat(o.definitions()).containsExactly(new PolicyFields("", 100, 60, null, -1, -1));
    }

    @Test
    void xRateLimitResetIsADelayOrAnEpochInstant() {
        assertThat(read(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "30"), false).current())
                .containsExactly(new PolicyFields("", -1, -1, null, 0, 30));
        long epoch = NOW.getEpochSecond() + 30;
        assertThat(read(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", Long.toString(epoch),
                "X-RateLimit-Limit", "60"), false).current())
                .containsExactly(new PolicyFields("", 60, -1, null, 0, 30));
        // an epoch already past is "now"; decimals round up; garbage is no reset
        assertThat(read(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1500000000"), false).current()
                .get(0).resetSeconds()).isZero();
        assertThat(read(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2.1"), false).current()
                .get(0).resetSeconds()).isEqualTo(3);
        assertThat(read(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "soon"), false).current()
                .get(0).resetSeconds()).isEqualTo(-1);
        assertThat(read(Map.of("X-RateLimit-Remaining", "-1"), false).current()).isEmpty();
    }

    @Test
    void retryAfterIsReadOnRefusalsOnly() {
        assertThat(read(Map.of("Retry-After", "120"), true).retryAfter()).isEqualTo(Duration.ofSeconds(120));
        assertThat(read(Map.of("Retry-After", "120"), false).retryAfter()).isNull();
        assertThat(read(Map.of("Retry-After", "-1"), true).retryAfter()).isNull();
        assertThat(read(Map.of("Retry-After", "99999999999999999"), true).retryAfter())
                .isEqualTo(Duration.ofSeconds(RateLimitFields.MAX_SECONDS));
        assertThat(read(Map.of("Retry-After", "Thu, 01 Jan 2026 00:01:00 GMT"), true).retryAfter())
                .isEqualTo(Duration.ofSeconds(60).minusMillis(250)); // no Date: from the client's clock
        assertThat(read(Map.of("Retry-After", "Thu, 01 Jan 2026 00:01:00 GMT",
                "Date", "Thu, 01 Jan 2026 00:00:30 GMT"), true).retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(read(Map.of("Retry-After", "Wed, 31 Dec 2025 00:00:00 GMT"), true).retryAfter()).isZero();
        assertThat(read(Map.of("Retry-After", "tomorrow"), true).retryAfter()).isNull();
    }

    @Test
    void httpDatesInAllThreeFormats() {
        Instant expected = Instant.parse("1994-11-06T08:49:37Z");
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT", now)).isEqualTo(expected);
        assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", now)).isEqualTo(expected);
        assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994", now)).isEqualTo(expected);
        assertThat(HttpDates.parse("Tuesday, 06-Nov-40 08:49:37 GMT", now)).isEqualTo("2040-11-06T08:49:37Z");
        assertThat(HttpDates.parse("Mon, 06 Nov 1994 08:49:37 GMT", now)).as("wrong day name").isNull();
        assertThat(HttpDates.parse("Sun, 31 Feb 1994 08:49:37 GMT", now)).isNull();
        assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 UTC", now)).isNull();
        assertThat(HttpDates.format(expected)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    @Test
    void retryAfterTakesPrecedenceOverTAndRequestsCountDown() {
        HostState host = new HostState("http://h:80");
        host.observe(read(Map.of("RateLimit-Policy", "\"p\";q=3;w=60", "RateLimit", "\"p\";r=0;t=30",
                "Retry-After", "10"), true), NOW, -1);
        assertThat(host.blockAt(NOW)).isEqualTo(new HostState.Block(NOW.plusSeconds(10), "p"));
        assertThat(host.blockAt(NOW.plusSeconds(10))).isNull();

        Instant later = NOW.plusSeconds(10);
        host.observe(read(Map.of("RateLimit", "\"p\";r=2;t=5"), false), later, -1);
        assertThat(host.tryAcquire(later)).isZero();
        assertThat(host.tryAcquire(later)).isOne();
        assertThat(host.tryAcquire(later)).isEqualTo(-1);
        assertThat(host.blockAt(later)).isEqualTo(new HostState.Block(later.plusSeconds(5), "p"));
        assertThat(host.snapshot(later).policy("p").orElseThrow().remaining()).hasValue(0);
        assertThat(host.tryAcquire(later.plusSeconds(5))).isEqualTo(2);
        assertThat(host.snapshot(later.plusSeconds(5)).policy("p").orElseThrow().remaining()).isEmpty();
    }

    @Test
    void requestsInFlightCountAndLateAnswersOnlyLowerTheEstimate() {
        HostState host = new HostState("http://h:80");
        Map<String, String> policy = Map.of("RateLimit-Policy", "\"p\";q=5;w=60");
        host.observe(read(policy, false), NOW, -1);
        long first = host.tryAcquire(NOW);
        long second = host.tryAcquire(NOW);
        long third = host.tryAcquire(NOW);
        // the answer to the second request: 3 left after it; the first and the third are on their way, and the server
        // may not have counted them yet
        host.observe(read(Map.of("RateLimit", "\"p\";r=3;t=60"), false), NOW, second);
        assertThat(host.snapshot(NOW).policy("p").orElseThrow().remaining()).hasValue(1);
        // the answer to the first arrives late: it can only lower the estimate
        host.observe(read(Map.of("RateLimit", "\"p\";r=4;t=60"), false), NOW, first);
        assertThat(host.snapshot(NOW).policy("p").orElseThrow().remaining()).hasValue(1);
        // the last answer, overtaken by the two others: the server may have counted them after it, so its remaining
        // may be stale, and within the effective window it cannot raise the estimate either
        host.observe(read(Map.of("RateLimit", "\"p\";r=2;t=60"), false), NOW, third);
        assertThat(host.snapshot(NOW).policy("p").orElseThrow().remaining()).hasValue(1);
        // a request that never gets an answer stops counting after the in-flight timeout
        host.tryAcquire(NOW);
        Instant muchLater = NOW.plus(HostState.IN_FLIGHT_TIMEOUT).plusSeconds(1);
        host.observe(read(Map.of("RateLimit", "\"p\";r=2;t=60"), false), muchLater, host.tryAcquire(muchLater));
        assertThat(host.snapshot(muchLater).policy("p").orElseThrow().remaining()).hasValue(2);
    }

    @Test
    void withoutTTheWindowBoundsTheWait() {
        HostState host = new HostState("http://h:80");
        host.observe(read(Map.of("RateLimit-Policy", "\"p\";q=3;w=60", "RateLimit", "\"p\";r=0"), false), NOW, -1);
        assertThat(host.blockAt(NOW)).isEqualTo(new HostState.Block(NOW.plusSeconds(60), "p"));
        HostState unknown = new HostState("http://h:80");
        unknown.observe(read(Map.of("RateLimit", "\"p\";r=0"), false), NOW, -1);
        assertThat(unknown.blockAt(NOW)).as("no t, no w: the client cannot know, the server will say").isNull();
    }

    @Test
    void authoritiesAreNormalized() {
        assertThat(RateLimitClientFilter.authority(URI.create("HTTPS://API.Example.com/x?y")))
                .isEqualTo("https://api.example.com:443");
        assertThat(RateLimitClientFilter.authority(URI.create("http://example.com:8080/")))
                .isEqualTo("http://example.com:8080");
        assertThat(RateLimitClientFilter.authority(URI.create("http://example.com")))
                .isEqualTo("http://example.com:80");
    }

    @Test
    void theBuilderChecksItsValues() {
        assertThatThrownBy(() -> RateLimitClientFilter.custom().maxWait(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait");
        assertThatThrownBy(() -> RateLimitClientFilter.custom().maxWait(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RateLimitClientFilter.custom().retries(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimitClientFilter.custom().retries(11))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 10");
        assertThatThrownBy(() -> RateLimitClientFilter.custom().clock(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RateLimitClientFilter.custom().sleeper(null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RateLimitClientFilter.custom().failFast(true).retries(1).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("contradict");
        assertThat(RateLimitClientFilter.ofDefaults()).hasToString(
                "RateLimitClientFilter[maxWait=PT30S, failFast=false, retries=0]");
        assertThat(RateLimitClientFilter.custom().maxWait(Duration.ZERO).build()).isNotNull();
    }

    @Test
    void theExceptionChecksItsValues() {
        assertThatThrownBy(() -> new RateLimitedException(URI.create("http://h/"), Duration.ofSeconds(-1), null, null))
                .isInstanceOf(IllegalArgumentException.class);
        RateLimitedException e = new RateLimitedException(URI.create("http://h/x"), Duration.ofMillis(1500), "p",
                null);
        assertThat(e).hasMessage("Not sent: policy \"p\" of h allows the next request in 1500 ms (http://h/x)");
    }
}
