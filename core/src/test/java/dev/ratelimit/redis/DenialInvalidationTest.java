package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.fallback.FallbackRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Issue 21: the local denial cache never keeps denying a client that was reset or refunded on another instance. Two
 * limiters ("instances" A and B, each with its own Redis client and the denial cache on) share one real Redis and key
 * prefix: A's denial is cached; B resets (or refunds) the client; B's script publishes the client key, A's
 * subscription drops the denial (waited for with a bounded poll), and A admits the client again. Both for the Redis
 * limiter's own cache and for the fallback limiter's cache in front of it.
 */
class DenialInvalidationTest {

    private static RedisServer server;
    private static RedisClient admin;

    private final ManualClock clock = new ManualClock();
    private final String prefix = "invalidation-" + UUID.randomUUID();
    private final RateLimitRule rule = RateLimitRule.custom().name("login").limit(2).window("1h")
            .algorithm(Algorithm.FIXED_WINDOW).build();

    @BeforeAll
    static void start() {
        server = RedisServer.shared();
        admin = server.client();
    }

    @AfterAll
    static void stop() {
        admin.close();
    }

    private RedisRateLimiter redis(long denialCache) {
        return RedisRateLimiter.custom().uri(server.uri()).timeSource(clock).keyPrefix(prefix)
                .denialCache(denialCache).build();
    }

    @Test
    void aResetOnOneInstanceEndsTheCachedDenialOnAnother() {
        try (RedisRateLimiter a = redis(1_000); RedisRateLimiter b = redis(1_000)) {
            awaitSubscribers(2);
            Decision denied = useUp(a);
            assertThat(a.cachedDenial("alice", List.of(rule))).as("A holds the denial").isNotNull();
            Decision cached = a.acquire("alice", rule);
            assertThat(cached.allowed()).isFalse();
            assertThat(cached.retryAfter()).isEqualTo(denied.retryAfter());

            b.reset("alice", rule);

            await(() -> a.cachedDenial("alice", List.of(rule)) == null, "A drops the denial");
            Decision again = a.acquire("alice", rule);
            assertThat(again.allowed()).isTrue();
            assertThat(again.remaining()).isEqualTo(1);
        }
    }

    @Test
    void aRefundOnOneInstanceEndsTheCachedDenialOnAnother() {
        try (RedisRateLimiter a = redis(1_000); RedisRateLimiter b = redis(1_000)) {
            awaitSubscribers(2);
            useUp(a);
            assertThat(a.cachedDenial("alice", List.of(rule))).isNotNull();

            b.refund("alice", rule, 1);

            await(() -> a.cachedDenial("alice", List.of(rule)) == null, "A drops the denial");
            Decision again = a.acquire("alice", rule);
            assertThat(again.allowed()).isTrue();
            assertThat(again.remaining()).isZero();
            assertThat(a.acquire("alice", rule).allowed()).isFalse();
        }
    }

    /** The same with the cache where production puts it: on the fallback limiter, in front of the breaker. */
    @Test
    void theFallbackLimitersCacheIsInvalidatedToo() {
        try (RateLimiter a = fallback(); RateLimiter b = fallback()) {
            awaitSubscribers(2);
            for (int k = 0; k < 2; k++) {
                assertThat(a.acquire("bob", rule).allowed()).isTrue();
            }
            long before = scriptCalls();
            assertThat(a.acquire("bob", rule).allowed()).isFalse();
            assertThat(a.acquire("bob", rule).allowed()).isFalse();
            assertThat(scriptCalls() - before).as("the second denial came from A's cache").isEqualTo(1);

            b.reset("bob", rule);

            await(() -> {
                Decision d = a.acquire("bob", rule);
                return d.allowed() && d.store() == Store.REDIS;
            }, "A admits bob again");
        }
    }

    /** A reset on the same instance drops its own denial at once, without waiting for the message. */
    @Test
    void aResetOnTheSameInstanceDropsItsDenialAtOnce() {
        try (RedisRateLimiter a = redis(1_000)) {
            useUp(a);
            a.reset("alice", rule);
            assertThat(a.cachedDenial("alice", List.of(rule))).isNull();
            assertThat(a.acquire("alice", rule).allowed()).isTrue();
        }
    }

    /** Closing the limiter ends its subscription. */
    @Test
    void closingEndsTheSubscription() {
        RedisRateLimiter a = redis(1_000);
        awaitSubscribers(1);
        a.close();
        awaitSubscribers(0);
    }

    private FallbackRateLimiter fallback() {
        return FallbackRateLimiter.custom().primary(redis(0)).timeSource(clock).denialCache(1_000).build();
    }

    private Decision useUp(RateLimiter limiter) {
        for (int k = 0; k < 2; k++) {
            assertThat(limiter.acquire("alice", rule).allowed()).isTrue();
        }
        Decision denied = limiter.acquire("alice", rule);
        assertThat(denied.allowed()).isFalse();
        return denied;
    }

    private long scriptCalls() {
        String stats = admin.info("commandstats");
        long calls = 0;
        for (String command : new String[] {"evalsha", "eval"}) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                    .matcher(stats);
            calls += m.find() ? Long.parseLong(m.group(1)) : 0;
        }
        return calls;
    }

    /** Waits (at most 10 s) until {@code n} connections are subscribed to this test's channel. */
    private void awaitSubscribers(long n) {
        String channel = prefix + ":invalidate";
        await(() -> {
            List<?> reply = (List<?>) admin.eval("return redis.call('PUBSUB', 'NUMSUB', ARGV[1])", 0, channel);
            return ((Number) reply.get(1)).longValue() == n;
        }, n + " subscribers on " + channel);
    }

    /**
     * Waits for a message the subscriber thread handles (a subscription, an invalidation: milliseconds), checking the
     * condition until it holds, for at most 10 s; nothing is slept: the limiters' clock does not move.
     */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
