package dev.ratelimit.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class InMemoryRateLimiterTest {

    private final ManualClock clock = new ManualClock();

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aFloodOfDistinctKeysStaysWithinTheBound(Algorithm algorithm) {
        InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).maximumKeys(100).build();
        RateLimitRule rule = RateLimitRule.custom().name("f").limit(10).window("1h").algorithm(algorithm).build();
        for (int i = 0; i < 20_000; i++) {
            assertThat(limiter.acquire("client-" + i, rule).store()).isEqualTo(Store.MEMORY);
        }
        limiter.cleanUp();
        assertThat(limiter.estimatedSize()).isLessThanOrEqualTo(100);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void idleKeysAreDroppedOnceTheirStateIsFreshAgain(Algorithm algorithm) {
        InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();
        RateLimitRule rule = RateLimitRule.custom().name("i").limit(4).window("10s").algorithm(algorithm).build();
        for (int i = 0; i < 3; i++) {
            limiter.acquire("idle", rule);
        }
        limiter.cleanUp();
        assertThat(limiter.estimatedSize()).isEqualTo(1);
        assertThat(limiter.estimatedFootprintBytes()).isPositive();
        // no state outlives two windows (the sliding counter's horizon); most need less
        clock.advance(Duration.ofSeconds(20));
        limiter.cleanUp();
        assertThat(limiter.estimatedSize()).isZero();
        assertThat(limiter.acquire("idle", rule).remaining()).isEqualTo(3);
    }

    /**
     * A fixed window skips the division while a request falls in the window it counted, but only for the window
     * length it counted with: rules sharing a name may have other lengths, and their calendar windows start elsewhere.
     */
    @Test
    void aFixedWindowSharedByRulesOfOtherLengthsFindsItsOwnWindow() {
        InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();
        RateLimitRule minute = RateLimitRule.custom().name("fw").limit(100).window("1m")
                .algorithm(Algorithm.FIXED_WINDOW).build();
        RateLimitRule tenSeconds = RateLimitRule.custom().name("fw").limit(100).window("10s")
                .algorithm(Algorithm.FIXED_WINDOW).build();
        long m = minute.windowMicros();
        long start = clock.nowMicros() - Math.floorMod(clock.nowMicros(), m) + m; // a minute's start
        clock.set(start + 15_000_000L);
        assertThat(limiter.acquire("c", tenSeconds).remaining()).isEqualTo(99); // counts [10 s, 20 s)
        clock.set(start + 16_000_000L);
        // the minute's window is [0, 60 s): the count of [10 s, 20 s) is not its count
        assertThat(limiter.acquire("c", minute).remaining()).isEqualTo(99);
        assertThat(limiter.acquire("c", minute).remaining()).isEqualTo(98); // and now it is its own window
    }

    /**
     * A decision reads the clock before it takes its key's lock, so two racing requests can reach the state with their
     * times out of order; the state then decides at the latest time it has seen. A late, older reading must neither
     * reopen a fixed window nor refill a bucket.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void anOlderClockReadingDoesNotGoBackInTime(Algorithm algorithm) {
        InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();
        RateLimitRule rule = RateLimitRule.custom().name("late").limit(2).window("10s").algorithm(algorithm).build();
        long w = rule.windowMicros();
        clock.set(clock.nowMicros() - Math.floorMod(clock.nowMicros(), w) + w); // the start of a fixed window
        long start = clock.nowMicros();
        clock.advanceMicros(1);
        assertThat(limiter.acquire("late", rule).allowed()).isTrue();
        assertThat(limiter.acquire("late", rule).allowed()).isTrue();
        clock.set(start - 1); // a reading from the previous window arrives late
        var denied = limiter.acquire("late", rule);
        assertThat(denied.allowed()).as("decided at the latest time seen, in the full window").isFalse();
        assertThat(denied.limits()).hasSize(1).first().isEqualTo(denied.reported());
        assertThat(denied.withStore(Store.FALLBACK).limits()).isEqualTo(denied.limits());
    }

    /**
     * Once the counter's estimate was computed in doubles, and with a huge limit and window it rounded up by one: this
     * request at the exact edge was denied one microsecond early. The estimate is exact now: it passes.
     */
    @Test
    void theCounterIsExactAtTheFormerPrecisionEdge() {
        RateLimitRule rule = RateLimitRule.custom().name("edge").limit(461_952).window("366d")
                .algorithm(Algorithm.SLIDING_WINDOW_COUNTER).build();
        long w = rule.windowMicros();
        long ws = clock.nowMicros() - Math.floorMod(clock.nowMicros(), w) + w;
        InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build();
        clock.set(ws - w);
        assertThat(limiter.acquire("k", rule.withCost(336_661)).allowed()).isTrue();
        clock.set(ws);
        assertThat(limiter.acquire("k", rule.withCost(82_431)).allowed()).isTrue();
        clock.set(ws + 3_203_841_376_340L);
        var d = limiter.acquire("k", rule.withCost(76_970));
        assertThat(exactlyFits(336_661, w, 3_203_841_376_340L, 82_431, 76_970, 461_952)).isTrue();
        assertThat(d.allowed()).as("exact arithmetic admits it").isTrue();
        assertThat(d.remaining()).isZero();
    }

    /** Whether floor(prev * (w - e) / w) + cur + cost <= limit, in exact arithmetic. */
    private static boolean exactlyFits(long prev, long w, long e, long cur, long cost, long limit) {
        java.math.BigInteger est = java.math.BigInteger.valueOf(prev).multiply(java.math.BigInteger.valueOf(w - e))
                .divide(java.math.BigInteger.valueOf(w)).add(java.math.BigInteger.valueOf(cur));
        return est.add(java.math.BigInteger.valueOf(cost)).compareTo(java.math.BigInteger.valueOf(limit)) <= 0;
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> InMemoryRateLimiter.custom().maximumKeys(0))
                .hasMessage("maximumKeys must be at least 1, was 0");
        assertThatThrownBy(() -> InMemoryRateLimiter.custom().timeSource(null))
                .hasMessageContaining("timeSource");
        assertThat(InMemoryRateLimiter.ofDefaults().acquire("k",
                RateLimitRule.custom().name("d").limit(1).window("1s").build()).allowed()).isTrue();
    }
}
