package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code countWhen}: statuses, ranges and classes; anything else refused naming the part. */
class StatusConditionTest {

    @Test
    void statusesRangesAndClassesMatchExactlyTheirStatuses() {
        StatusCondition when = StatusCondition.parse(" 4xx, 500-502 ,302 ");
        assertThat(when.matches(400)).isTrue();
        assertThat(when.matches(499)).isTrue();
        assertThat(when.matches(500)).isTrue();
        assertThat(when.matches(502)).isTrue();
        assertThat(when.matches(302)).isTrue();
        assertThat(when.matches(399)).isFalse();
        assertThat(when.matches(503)).isFalse();
        assertThat(when.matches(200)).isFalse();
        assertThat(when).hasToString("4xx, 500-502 ,302");
        assertThat(StatusCondition.parse("4XX").matches(401)).as("case-insensitive").isTrue();
    }

    @Test
    void blankIsNoConditionAndAnythingElseIsRefused() {
        assertThat(StatusCondition.parse("")).isNull();
        assertThat(StatusCondition.parse(null)).isNull();
        assertThat(StatusCondition.parse("  ")).isNull();
        assertThatThrownBy(() -> StatusCondition.parse("4xx, failure"))
                .hasMessage("countWhen '4xx, failure': 'failure' is no status (401), range (400-499) or class (4xx)");
        assertThatThrownBy(() -> StatusCondition.parse("600")).hasMessageContaining("not within the statuses");
        assertThatThrownBy(() -> StatusCondition.parse("499-400")).hasMessageContaining("not within");
        assertThatThrownBy(() -> StatusCondition.parse("401,")).hasMessageContaining("'' is no status");
    }
}
