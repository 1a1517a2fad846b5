package dev.ratelimit.internal;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientKeysTest {

    @Test
    void keepsShortPlainKeys() {
        assertThat(ClientKeys.normalize("alice")).isEqualTo("alice");
        assertThat(ClientKeys.normalize("2001:db8::1")).isEqualTo("2001:db8::1");
        assertThat(ClientKeys.normalize("x".repeat(64))).isEqualTo("x".repeat(64));
    }

    @Test
    void hashesLongOrUnusualKeysToABoundedForm() {
        String[] unusual = {"x".repeat(65), "x".repeat(10_240), "a b", "tag{x}", "zoë", "line\nbreak", "~alice"};
        for (String key : unusual) {
            String stored = ClientKeys.normalize(key);
            assertThat(stored).as(key).startsWith("~").hasSize(44).matches("~[A-Za-z0-9_-]{43}");
            assertThat(ClientKeys.normalize(key)).isEqualTo(stored);
        }
        assertThat(ClientKeys.normalize("x".repeat(65))).isNotEqualTo(ClientKeys.normalize("x".repeat(66)));
        // a raw key can never look like a hashed one
        String hashed = ClientKeys.normalize("a b");
        assertThat(ClientKeys.normalize(hashed)).isNotEqualTo(hashed);
    }

    @Test
    void boundsMemoryKeysByLengthAndPrefixOnly() {
        // memory takes any character: short keys stay as they are, even those Redis would not keep verbatim
        for (String key : new String[] {"alice", "a b", "tag{x}", "zoë", "line\nbreak", "x".repeat(64)}) {
            assertThat(ClientKeys.bounded(key)).isSameAs(key);
        }
        // long keys and keys that could pass for a hashed one get the same hashed form as in Redis
        for (String key : new String[] {"x".repeat(65), "x".repeat(10_240), "~alice"}) {
            assertThat(ClientKeys.bounded(key)).as(key).hasSize(44).isEqualTo(ClientKeys.normalize(key));
        }
        String hashed = ClientKeys.bounded("x".repeat(65));
        assertThat(ClientKeys.bounded(hashed)).isNotEqualTo(hashed);
    }

    @Test
    void rejectsEmptyKeys() {
        assertThatThrownBy(() -> ClientKeys.normalize("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientKeys.normalize(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientKeys.bounded("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientKeys.bounded(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksRules() {
        RateLimitRule a = RateLimitRule.custom().name("a").limit(2).window("1s").build();
        RateLimitRule a2 = RateLimitRule.custom().name("a").limit(2).window("1m").build();
        RateLimitRule aLog = a.toBuilder().algorithm(Algorithm.SLIDING_WINDOW_LOG).build();
        ClientKeys.checkRules(List.of(a));
        ClientKeys.checkRules(List.of(a, aLog));
        ClientKeys.checkRules(List.of(a, a2)); // same name, another limit and window: another counter
        assertThatThrownBy(() -> ClientKeys.checkRules(List.of(a, a.withCost(2)))).hasMessageContaining("appears twice");
        List<RateLimitRule> seventeen = new java.util.ArrayList<>();
        for (int i = 0; i < 17; i++) {
            seventeen.add(a.toBuilder().name("r" + i).build());
        }
        assertThatThrownBy(() -> ClientKeys.checkRules(seventeen)).hasMessage("17 rules in one call; at most 16 are allowed");
        ClientKeys.checkRules(seventeen.subList(0, 16));
        assertThatThrownBy(() -> ClientKeys.checkRules(List.of())).hasMessageContaining("at least one rule");
    }
}
