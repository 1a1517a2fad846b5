package dev.ratelimit.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The in-memory limiter under contention: 16 threads on one key of one limiter admit exactly the limit. */
class InMemoryConcurrencyTest {

    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 50;
    private static final int LIMIT = 200;

    /**
     * 800 requests at one frozen instant: exactly 200 pass, each passing request saw a different remaining count
     * (199 down to 0), and a multi-rule request contending on the same key respects both rules.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void burstOnOneKeyAdmitsExactlyTheLimit(Algorithm algorithm) {
        ManualClock clock = new ManualClock();
        try (InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build()) {
            RateLimitRule rule = RateLimitRule.custom().name("burst").limit(LIMIT).window("10s")
                    .algorithm(algorithm).build();

            List<Decision> decisions = ConcurrentBurst.run(THREADS, CALLS_PER_THREAD,
                    (thread, i) -> limiter.acquire("one-key", rule));

            assertThat(decisions).hasSize(THREADS * CALLS_PER_THREAD);
            List<Long> remainingSeen = decisions.stream().filter(Decision::allowed).map(Decision::remaining)
                    .sorted().collect(Collectors.toList());
            assertThat(remainingSeen)
                    .containsExactlyElementsOf(LongStream.range(0, LIMIT).boxed().collect(Collectors.toList()));
            assertThat(limiter.acquire("one-key", rule).allowed()).isFalse();
        }
    }

    /**
     * Half the threads send two rules per request (the 200 one and a small one of 50), the other half the 200 one
     * alone: 200 pass in all, at most 50 of them with both rules, and a denied two-rule request consumes nothing.
     * Locks over several stripes must neither deadlock nor let a rule overshoot.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void multiRuleBurstRespectsEveryRule(Algorithm algorithm) {
        ManualClock clock = new ManualClock();
        try (InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(clock).build()) {
            RateLimitRule big = RateLimitRule.custom().name("big").limit(LIMIT).window("10s").algorithm(algorithm)
                    .build();
            RateLimitRule small = RateLimitRule.custom().name("small").limit(50).window("10s")
                    .algorithm(algorithm).build();

            List<Decision> decisions = ConcurrentBurst.run(THREADS, CALLS_PER_THREAD,
                    (thread, i) -> thread % 2 == 0 ? limiter.acquire("one-key", List.of(big, small))
                            : limiter.acquire("one-key", big));

            long bothAdmitted = decisions.stream().filter(d -> d.allowed() && d.limits().size() == 2).count();
            long bigOnlyAdmitted = decisions.stream().filter(d -> d.allowed() && d.limits().size() == 1).count();
            assertThat(bothAdmitted + bigOnlyAdmitted).isEqualTo(LIMIT);
            assertThat(bothAdmitted).isLessThanOrEqualTo(50);
            assertThat(limiter.acquire("one-key", big).allowed()).isFalse();
            // the small rule has room left exactly when the big one filled up before it did
            assertThat(limiter.acquire("one-key", small).allowed()).isEqualTo(bothAdmitted < 50);
        }
    }
}
