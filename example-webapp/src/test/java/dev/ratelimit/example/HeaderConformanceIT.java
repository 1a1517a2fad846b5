package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.RedisServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.greenbytes.http.sfv.IntegerItem;
import org.greenbytes.http.sfv.ListElement;
import org.greenbytes.http.sfv.Parameters;
import org.greenbytes.http.sfv.ParseException;
import org.greenbytes.http.sfv.Parser;
import org.greenbytes.http.sfv.StringItem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example server's answers, parsed as a client would with an independent RFC 9651 (Structured Field Values)
 * parser, a maintained library (greenbytes' {@code structured-fields}), not our formatter: every limited endpoint,
 * every algorithm, several rules on one endpoint, allowed and refused. {@code RateLimit-Policy} and {@code RateLimit}
 * are Lists of String items with Integer parameters, {@code w} is whole seconds, and a refusal's {@code Retry-After}
 * is never earlier than the end of the effective window {@code t} (draft-ietf-httpapi-ratelimit-headers §6).
 */
class HeaderConformanceIT {

    private static ExampleProcess jetty;

    @BeforeAll
    static void start() throws Exception {
        RedisServer.shared().flushAll();
        jetty = ExampleProcess.start(Map.of("ratelimit.redis.url", RedisServer.shared().uri(),
                "ratelimit.trusted-proxies", "127.0.0.1, ::1"));
    }

    @AfterAll
    static void stop() {
        jetty.close();
    }

    @Test
    void everyLimitedEndpointAnswersWithWellFormedFieldsUntilAndAfterItsLimit() throws Exception {
        String[] paths = {"/api/algorithms/fixed-window", "/api/algorithms/sliding-window-log",
            "/api/algorithms/sliding-window-counter", "/api/algorithms/token-bucket", "/api/algorithms/gcra",
            "/api/multi", "/api/key/header"};
        int refusals = 0;
        int client = 0;
        for (String path : paths) {
            client++;
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                answers.add(Http.get(jetty.uri(path), "X-Forwarded-For", "198.51.100." + client, "X-Api-Key",
                        "conformance-" + client));
            }
            for (HttpResponse<String> r : answers) {
                refusals += check(path, r);
            }
        }
        assertThat(refusals).as("every endpoint was driven past its limit").isGreaterThanOrEqualTo(paths.length);
    }

    /** Checks one answer's fields; returns 1 for a refusal, else 0. */
    private static int check(String path, HttpResponse<String> r) throws ParseException {
        String policyField = r.headers().firstValue("RateLimit-Policy").orElseThrow();
        String limitField = r.headers().firstValue("RateLimit").orElseThrow();
        List<ListElement<? extends Object>> policies = Parser.parseList(policyField).get();
        assertThat(policies).as(path + ": " + policyField).isNotEmpty();
        for (ListElement<? extends Object> policy : policies) {
            assertThat(policy).as("a policy is a String item: " + policyField).isInstanceOf(StringItem.class);
            Parameters p = policy.getParams();
            assertThat(p.keySet()).as(policyField).contains("q").isSubsetOf("q", "w", "pk");
            assertThat(p.get("q")).isInstanceOf(IntegerItem.class);
            if (p.containsKey("w")) {
                assertThat(p.get("w")).isInstanceOf(IntegerItem.class);
                assertThat(((IntegerItem) p.get("w")).get()).isPositive();
            }
        }
        List<ListElement<? extends Object>> limits = Parser.parseList(limitField).get();
        assertThat(limits).as(path + ": " + limitField).hasSize(1);
        assertThat(limits.get(0)).isInstanceOf(StringItem.class);
        String reported = ((StringItem) limits.get(0)).get();
        assertThat(policies).as("the reported policy is one of the policies")
                .anyMatch(p -> ((StringItem) p).get().equals(reported));
        Parameters p = limits.get(0).getParams();
        assertThat(p.keySet()).contains("r", "t").isSubsetOf("r", "t", "pk");
        long remaining = ((IntegerItem) p.get("r")).get();
        long t = ((IntegerItem) p.get("t")).get();
        assertThat(remaining).isNotNegative();
        assertThat(t).isNotNegative();
        if (r.statusCode() == 429) {
            long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
            assertThat(remaining).isZero();
            assertThat(retryAfter).as(path + ": Retry-After is not earlier than the end of the effective window t")
                    .isGreaterThanOrEqualTo(t).isPositive();
            assertThat(r.body()).contains("\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\"")
                    .contains("\"violated-policies\":[\"");
            return 1;
        }
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        return 0;
    }
}
