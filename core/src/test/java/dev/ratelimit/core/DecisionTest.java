package dev.ratelimit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionTest {

    private final RateLimitRule perSecond = RateLimitRule.custom().name("s").limit(10).window("1s").build();
    private final RateLimitRule perHour = RateLimitRule.custom().name("h").limit(1000).window("1h").build();

    @Test
    void allowedReportsTheRuleWithFewestRemaining() {
        Decision d = Decision.of(Store.REDIS, List.of(
                new RuleOutcome(perSecond, true, 7, 300_000, 0),
                new RuleOutcome(perHour, true, 3, 3_000_000_000L, 0)));
        assertThat(d.allowed()).isTrue();
        assertThat(d.reported().rule()).isEqualTo(perHour);
        assertThat(d.limit()).isEqualTo(1000);
        assertThat(d.remaining()).isEqualTo(3);
        assertThat(d.resetAfter()).isEqualTo(Duration.ofSeconds(3000));
        assertThat(d.retryAfter()).isZero();
        assertThat(d.retryAfterSeconds()).isZero();
        assertThat(d.store()).isEqualTo(Store.REDIS);
    }

    @Test
    void deniedReportsTheDenyingRuleWithTheLongestWait() {
        Decision d = Decision.of(Store.MEMORY, List.of(
                new RuleOutcome(perSecond, false, 0, 1_000_000, 100_001),
                new RuleOutcome(perHour, true, 0, 2_000_000, 0)));
        assertThat(d.allowed()).isFalse();
        assertThat(d.reported().rule()).isEqualTo(perSecond);
        assertThat(d.retryAfter()).isEqualTo(Duration.ofNanos(100_001_000));
        assertThat(d.retryAfterSeconds()).isEqualTo(1);
        assertThat(d.limits()).hasSize(2);

        Decision both = Decision.of(Store.MEMORY, List.of(
                new RuleOutcome(perSecond, false, 0, 1_000_000, 500_000),
                new RuleOutcome(perHour, false, 0, 3_600_000_000L, 1_800_000_000L)));
        assertThat(both.reported().rule()).isEqualTo(perHour);
        assertThat(both.retryAfterSeconds()).isEqualTo(1800);
    }

    @Test
    void retryAfterSecondsRoundsUp() {
        Decision d = Decision.of(Store.MEMORY, List.of(new RuleOutcome(perSecond, false, 0, 2_000_001, 2_000_001)));
        assertThat(d.retryAfterSeconds()).isEqualTo(3);
        assertThat(d.withStore(Store.REDIS).store()).isEqualTo(Store.REDIS);
        assertThat(d.withStore(Store.MEMORY)).isSameAs(d);
    }

    @Test
    void rejectsEmptyAndNegative() {
        assertThatThrownBy(() -> Decision.of(Store.MEMORY, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RuleOutcome(perSecond, true, -1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
