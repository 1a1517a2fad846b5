package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/**
 * The limiter survives the loss of Redis's script cache: after {@code SCRIPT FLUSH} (NOSCRIPT answered by sending
 * the script again, state kept) and after a full Redis restart (stale pooled connections replaced, state empty since
 * the test server has no persistence). Runs on a private server, since it flushes scripts and restarts Redis.
 */
class RedisScriptCacheTest {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
        scriptFlush();
    }

    private static RateLimitRule rule(Algorithm algorithm) {
        return RateLimitRule.custom().name("cache").limit(5).window("1m").algorithm(algorithm).build();
    }

    // a new connection for each look, since a restart breaks pooled ones

    private static boolean scriptCached(Algorithm algorithm) {
        try (RedisClient admin = redis.client()) {
            return admin.scriptExists(List.of(RateLimitScript.of(algorithm).sha1)).get(0);
        }
    }

    private static String scriptFlush() {
        try (RedisClient admin = redis.client()) {
            return admin.scriptFlush();
        }
    }

    /** Connections open on the server, not counting the one asking. */
    private static long otherConnections() {
        try (RedisClient admin = redis.client()) {
            Matcher m = Pattern.compile("connected_clients:(\\d+)").matcher(admin.info("clients"));
            assertThat(m.find()).isTrue();
            return Long.parseLong(m.group(1)) - 1;
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void scriptFlushIsAnsweredTransparentlyAndStateIsKept(Algorithm algorithm) {
        ManualClock clock = new ManualClock();
        try (RedisClient client = redis.client()) {
            RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).timeSource(clock).build();
            RateLimitRule rule = rule(algorithm);
            assertThat(scriptCached(algorithm)).isFalse();
            assertThat(limiter.acquire("flushed", rule).remaining()).isEqualTo(4);
            assertThat(limiter.acquire("flushed", rule).remaining()).isEqualTo(3);
            assertThat(scriptCached(algorithm)).isTrue();

            assertThat(scriptFlush()).isEqualTo("OK");
            assertThat(scriptCached(algorithm)).isFalse();

            Decision afterFlush = limiter.acquire("flushed", rule);
            assertThat(afterFlush.allowed()).isTrue();
            assertThat(afterFlush.store()).isEqualTo(Store.REDIS);
            assertThat(afterFlush.remaining()).as("the state survived the flush").isEqualTo(2);
            assertThat(scriptCached(algorithm)).as("the script was cached again").isTrue();
            assertThat(limiter.acquire("flushed", rule).remaining()).isEqualTo(1);
            assertThat(limiter.acquire("flushed", rule).remaining()).isZero();
            assertThat(limiter.acquire("flushed", rule).allowed()).isFalse();
        }
    }

    /** A flush while 8 threads are deciding: every call still gets a decision and exactly the limit passes. */
    @Test
    void scriptFlushUnderConcurrentLoadLosesNoDecision() {
        ManualClock clock = new ManualClock();
        try (RedisClient client = redis.client()) {
            RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).timeSource(clock).build();
            RateLimitRule rule = RateLimitRule.custom().name("load").limit(300).window("1m")
                    .algorithm(Algorithm.SLIDING_WINDOW_LOG).build();

            List<Decision> decisions = ConcurrentBurst.run(8, 60, (thread, i) -> {
                if (thread == 0 && i % 10 == 0) {
                    scriptFlush();
                }
                return limiter.acquire("busy", rule);
            });

            assertThat(decisions).hasSize(480);
            assertThat(decisions.stream().filter(Decision::allowed).count()).isEqualTo(300);
        }
    }

    /**
     * A full restart: the limiter's own pooled connections are dead, the script cache and all state are gone. The
     * next decisions work again (on a fresh connection, with the script sent again) and start from an empty state.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void decisionsWorkAgainAfterARestartWithAnEmptyState(Algorithm algorithm) {
        ManualClock clock = new ManualClock();
        try (RedisRateLimiter limiter = RedisRateLimiter.custom().uri(redis.uri()).timeout(Duration.ofSeconds(2))
                .timeSource(clock).build()) {
            RateLimitRule rule = rule(algorithm);
            for (int i = 4; i >= 0; i--) {
                assertThat(limiter.acquire("restarted", rule).remaining()).isEqualTo(i);
            }
            assertThat(limiter.acquire("restarted", rule).allowed()).isFalse();

            redis.restart();
            assertThat(scriptCached(algorithm)).isFalse();

            Decision first = limiter.acquire("restarted", rule);
            assertThat(first.allowed()).isTrue();
            assertThat(first.remaining()).as("Redis came back empty").isEqualTo(4);
            assertThat(scriptCached(algorithm)).isTrue();
            assertThat(limiter.acquire("restarted", rule).remaining()).isEqualTo(3);
        }
    }

    /**
     * A restart after concurrent use, when the limiter's pool holds several idle connections that all died with the
     * old process.
     */
    @Test
    void decisionsWorkAgainAfterARestartWithSeveralIdlePooledConnections() {
        ManualClock clock = new ManualClock();
        try (RedisRateLimiter limiter = RedisRateLimiter.custom().uri(redis.uri()).timeout(Duration.ofSeconds(2))
                .timeSource(clock).build()) {
            RateLimitRule rule = RateLimitRule.custom().name("pool").limit(1000).window("1m")
                    .algorithm(Algorithm.TOKEN_BUCKET).build();
            List<Decision> warmUp = ConcurrentBurst.run(8, 20, (thread, i) -> limiter.acquire("pooled", rule));
            assertThat(warmUp).allMatch(Decision::allowed);
            assertThat(otherConnections()).as("the limiter's idle pooled connections").isGreaterThan(1);

            redis.restart();

            Decision first = limiter.acquire("pooled", rule);
            assertThat(first.allowed()).isTrue();
            assertThat(first.remaining()).isEqualTo(999);
        }
    }
}
