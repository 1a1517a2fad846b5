package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisRateLimiterBuilderTest {

    private final RateLimitRule rule = RateLimitRule.custom().name("b").limit(3).window("10s").build();

    @Test
    void connectsFromAUriAndClosesWhatItCreated() {
        try (RedisRateLimiter limiter = RedisRateLimiter.custom().uri(RedisServer.shared().uri())
                .timeout(Duration.ofSeconds(2)).maxConnections(4).keyPrefix("builder-test").build()) {
            assertThat(limiter.acquire("k", rule).store()).isEqualTo(Store.REDIS);
            assertThat(limiter.stateKey("k", rule)).isEqualTo("builder-test:{k}:b:tb:3:10000");
        }
    }

    @Test
    void rejectsBadValuesWithoutRevealingPasswords() {
        assertThatThrownBy(() -> RedisRateLimiter.custom().uri("http://user:s3cret@host:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user:***@host")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> RedisRateLimiter.custom().uri("redis://:s3cret@ho st:6379"))
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> RedisRateLimiter.custom().uri("redis://u:p/ss@w0rd@ho st:6379"))
                .hasMessageContaining("redis://u:***@ho st")
                .hasMessageNotContaining("ss@w0rd");
        assertThatThrownBy(() -> RedisRateLimiter.custom().keyPrefix("a{b}")).hasMessageContaining("'a{b}'");
        assertThatThrownBy(() -> RedisRateLimiter.custom().timeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> RedisRateLimiter.custom().maxConnections(0)).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> RedisRateLimiter.custom().build()).hasMessageContaining("exactly one of");
    }

    @Test
    void authenticationFailuresDoNotRevealThePassword() {
        try (RedisServer secured = RedisServer.start();
             var admin = secured.client()) {
            admin.configSet("requirepass", "right-password");
            try (RedisRateLimiter limiter = RedisRateLimiter.custom()
                    .uri("redis://default:wrong-s3cret@127.0.0.1:" + secured.port())
                    .timeout(Duration.ofSeconds(2)).build()) {
                assertThatThrownBy(() -> limiter.acquire("k", rule))
                        .satisfies(e -> {
                            for (Throwable t = e; t != null; t = t.getCause()) {
                                assertThat(String.valueOf(t.getMessage())).doesNotContain("wrong-s3cret");
                            }
                        });
            }
            try (RedisRateLimiter limiter = RedisRateLimiter.custom()
                    .uri("redis://default:right-password@127.0.0.1:" + secured.port())
                    .timeout(Duration.ofSeconds(2)).build()) {
                assertThat(limiter.acquire("k", rule).allowed()).isTrue();
            }
        }
    }
}
