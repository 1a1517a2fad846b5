package dev.ratelimit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateLimitRuleTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, 500", "10s, 10000", "1m, 60000", "1h, 3600000", "1d, 86400000", "PT1M, 60000", "pt0.25s, 250",
        "P1D, 86400000", " 15 s , 15000", "2H, 7200000",
    })
    void parsesWindows(String text, long millis) {
        RateLimitRule rule = RateLimitRule.custom().name("n").limit(1).window(text).build();
        assertThat(rule.window()).isEqualTo(Duration.ofMillis(millis));
        assertThat(rule.windowMicros()).isEqualTo(millis * 1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "10", "10x", "-5s", "1.5s", "PT", "ms"})
    void rejectsUnparseableWindowsNamingThem(String text) {
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(1).window(text).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "PT0.0001S", "367d", "PT-1S"})
    void rejectsWindowsOutOfRange(String text) {
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(1).window(text).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }

    @Test
    void rejectsEmptyWindow() {
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(1).window("").build())
                .hasMessageContaining("window is empty");
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(1).build())
                .hasMessageContaining("window is required");
    }

    @Test
    void validatesLimitCostNameAndHeader() {
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(0).window("1s").build())
                .hasMessage("limit must be greater than 0, was 0");
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(5).window("1s").cost(0).build())
                .hasMessage("cost must be at least 1, was 0");
        assertThatThrownBy(() -> RateLimitRule.custom().limit(5).window("1s").build())
                .hasMessage("name is required");
        assertThatThrownBy(() -> RateLimitRule.custom().name("a b").limit(5).window("1s").build())
                .hasMessageContaining("'a b'");
        assertThatThrownBy(() -> RateLimitRule.custom().name("x".repeat(201)).limit(5).window("1s").build())
                .hasMessageContaining("longer than 200");
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(5).window("1s").key(KeySource.HEADER).build())
                .hasMessageContaining("keyHeader");
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(5).window("1s").keyHeader("X-Api-Key").build())
                .hasMessageContaining("'X-Api-Key' is only used with key HEADER");
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(5).window("1s").key(KeySource.HEADER)
                .keyHeader("X Api").build())
                .hasMessageContaining("'X Api' is not a valid HTTP header name");
    }

    @Test
    void defaultsAndCopies() {
        RateLimitRule rule = RateLimitRule.custom().name("n").limit(5).window("10s").build();
        assertThat(rule.algorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
        assertThat(rule.keySource()).isEqualTo(KeySource.PRINCIPAL_OR_IP);
        assertThat(rule.keyHeader()).isEmpty();
        assertThat(rule.cost()).isEqualTo(1);
        RateLimitRule costly = rule.withCost(3);
        assertThat(costly.cost()).isEqualTo(3);
        assertThat(costly.toBuilder().cost(1).build()).isEqualTo(rule).hasSameHashCodeAs(rule);
        assertThat(rule.withCost(1)).isSameAs(rule);
        assertThat(rule.toString()).contains("n[5 per PT10S, TOKEN_BUCKET");
    }

    @RateLimited(limit = 100, window = "1m")
    @RateLimited(limit = 1000, window = "1h", algorithm = Algorithm.SLIDING_WINDOW_LOG, key = KeySource.HEADER,
            keyHeader = "X-Api-Key", name = "search", cost = 2)
    void annotated() {
    }

    @RateLimited(limit = 5, window = "often")
    void badWindow() {
    }

    @RateLimited(limit = -1, window = "1s")
    void badLimit() {
    }

    @RateLimited(limit = 1, window = "1s", key = KeySource.HEADER)
    void headerWithoutName() {
    }

    @RateLimited(limit = Long.MAX_VALUE - 1, window = "1d")
    void hugeLimit() {
    }

    @Test
    void readsRepeatedAnnotations() throws Exception {
        Method m = getClass().getDeclaredMethod("annotated");
        RateLimited[] all = m.getAnnotationsByType(RateLimited.class);
        assertThat(all).hasSize(2);
        RateLimitRule first = RateLimitRule.from(all[0], "Api#annotated", "Api#annotated");
        RateLimitRule second = RateLimitRule.from(all[1], "Api#annotated", "Api#annotated");
        assertThat(first.name()).isEqualTo("Api#annotated");
        assertThat(first.limit()).isEqualTo(100);
        assertThat(first.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(second.name()).isEqualTo("search");
        assertThat(second.algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW_LOG);
        assertThat(second.keySource()).isEqualTo(KeySource.HEADER);
        assertThat(second.keyHeader()).isEqualTo("X-Api-Key");
        assertThat(second.cost()).isEqualTo(2);
    }

    @Test
    void invalidAnnotationsNameTheMethodAndValue() throws Exception {
        RateLimited window = getClass().getDeclaredMethod("badWindow").getAnnotation(RateLimited.class);
        assertThatThrownBy(() -> RateLimitRule.from(window, "d", "com.acme.Api#badWindow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid @RateLimited on com.acme.Api#badWindow: window 'often'");
        RateLimited limit = getClass().getDeclaredMethod("badLimit").getAnnotation(RateLimited.class);
        assertThatThrownBy(() -> RateLimitRule.from(limit, "d", "com.acme.Api#badLimit"))
                .hasMessage("Invalid @RateLimited on com.acme.Api#badLimit: limit must be greater than 0, was -1");
        RateLimited header = getClass().getDeclaredMethod("headerWithoutName").getAnnotation(RateLimited.class);
        assertThatThrownBy(() -> RateLimitRule.from(header, "d", "com.acme.Api#headerWithoutName"))
                .hasMessageContaining("com.acme.Api#headerWithoutName").hasMessageContaining("keyHeader");
    }

    /**
     * The accepted ranges (docs/algorithms.md, "Ranges"): limits up to 2^31 - 1 for every algorithm but the sliding
     * log (10,000); a limit near Long.MAX_VALUE, which once overflowed the script's reply and opened the circuit
     * breaker for every endpoint, is refused at deployment naming the method and the value.
     */
    @Test
    void acceptsLimitsUpToTheSupportedMaximumAndRefusesBeyond() throws Exception {
        for (Algorithm algorithm : Algorithm.values()) {
            long max = algorithm == Algorithm.SLIDING_WINDOW_LOG ? 10_000 : Integer.MAX_VALUE;
            assertThat(RateLimitRule.custom().name("n").limit(max).window("366d").algorithm(algorithm).build().limit())
                    .isEqualTo(max);
            assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(max + 1).window("1s").algorithm(algorithm)
                    .build()).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("limit " + (max + 1)
                    + " is above");
        }
        assertThat(RateLimitRule.MAX_LIMIT).isEqualTo(2_147_483_647L);
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(Long.MAX_VALUE).window("1s").build())
                .hasMessage("limit 9223372036854775807 is above the largest supported limit, 2147483647 (2^31 - 1)");
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(20_000).window("1s")
                .algorithm(Algorithm.SLIDING_WINDOW_LOG).build())
                .hasMessage("limit 20000 is above 10000, the largest limit of SLIDING_WINDOW_LOG (one stored entry per "
                        + "permit); use SLIDING_WINDOW_COUNTER, TOKEN_BUCKET or GCRA for high limits");
        RateLimited huge = getClass().getDeclaredMethod("hugeLimit").getAnnotation(RateLimited.class);
        assertThatThrownBy(() -> RateLimitRule.from(huge, "d", "com.acme.Api#hugeLimit"))
                .hasMessage("Invalid @RateLimited on com.acme.Api#hugeLimit: limit 9223372036854775806 is above the "
                        + "largest supported limit, 2147483647 (2^31 - 1)");
    }

    /** A cost above the limit could never pass: refused when built (issue 17, item 5), also through withCost. */
    @Test
    void refusesACostAboveTheLimit() {
        assertThatThrownBy(() -> RateLimitRule.custom().name("n").limit(5).window("1m").cost(6).build())
                .hasMessage("cost 6 is above the limit 5: a request of that cost could never pass");
        RateLimitRule five = RateLimitRule.custom().name("n").limit(5).window("1m").cost(5).build();
        assertThat(five.cost()).isEqualTo(5);
        assertThatThrownBy(() -> five.withCost(6)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Issue 21: the penalty option, from code and from the annotation; part of equality, not of the counter. */
    @Test
    void blockAfterDenialIsReadValidatedAndCompared() throws NoSuchMethodException {
        RateLimitRule plain = RateLimitRule.custom().name("login").limit(3).window("1m").build();
        assertThat(plain.blockAfterDenial()).isZero();
        RateLimitRule penalty = plain.toBuilder().blockAfterDenial(Duration.ofHours(1)).build();
        assertThat(penalty.blockAfterDenial()).isEqualTo(Duration.ofHours(1));
        assertThat(penalty).isNotEqualTo(plain);
        assertThat(penalty.hashCode()).isNotEqualTo(plain.hashCode());
        assertThat(penalty.toString()).contains("block after denial 1h");
        assertThat(penalty.withCost(2).blockAfterDenial()).isEqualTo(Duration.ofHours(1));
        assertThat(penalty.counterLimit()).isEqualTo(plain.counterLimit());
        assertThat(plain.toBuilder().blockAfterDenial("0").build()).isEqualTo(plain);
        assertThat(plain.toBuilder().blockAfterDenial("").build()).isEqualTo(plain);
        assertThatThrownBy(() -> plain.toBuilder().blockAfterDenial("367d").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockAfterDenial '367d'");
        assertThatThrownBy(() -> plain.toBuilder().blockAfterDenial("soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockAfterDenial 'soon'");

        Method m = Penalized.class.getDeclaredMethod("login");
        RateLimitRule fromAnnotation = RateLimitRule.from(m.getAnnotation(RateLimited.class), "x", "Penalized#login");
        assertThat(fromAnnotation.blockAfterDenial()).isEqualTo(Duration.ofMinutes(15));
        Method bad = Penalized.class.getDeclaredMethod("bad");
        assertThatThrownBy(() -> RateLimitRule.from(bad.getAnnotation(RateLimited.class), "x", "Penalized#bad"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Penalized#bad");
    }

    /** Annotated fixtures. */
    static final class Penalized {
        @RateLimited(limit = 3, window = "1m", blockAfterDenial = "15m")
        void login() {
        }

        @RateLimited(limit = 3, window = "1m", blockAfterDenial = "0.5s")
        void bad() {
        }
    }
}
