package dev.ratelimit.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kills (SIGKILL) and freezes (SIGSTOP) a real Redis while 8 threads take decisions. The limiter clock is frozen
 * during each load phase (so the counts are exact) and moved past the breaker's wait to bring Redis back.
 *
 * <p>The clock is only moved once the breaker is really {@code OPEN}: Resilience4j stops permitting calls (so the
 * fallback already answers) a moment before it installs the open state, and that state's wait is measured from the
 * clock's reading at that moment. Moving the clock in between would start the wait after the move, and no probe
 * would ever come. The load runs until the test stops it, so there is always a caller to take the probe.
 *
 * <p>The latency bound asserted here is a liveness property, not a performance figure: with a 100 ms Redis timeout no
 * call may hang for seconds, so it is set 20 times above what the timeouts allow.
 */
class RedisFaultsUnderLoadTest {

    private static final int THREADS = 8;
    private static final long LIMIT = 50;
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long LIVENESS_BOUND_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ManualClock clock = new ManualClock();
    private final RateLimitRule rule = RateLimitRule.custom().name("load").limit(LIMIT).window("1m")
            .algorithm(Algorithm.SLIDING_WINDOW_LOG).build();
    private RedisServer redis;
    private FallbackRateLimiter limiter;
    private Load load;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        RedisRateLimiter primary = RedisRateLimiter.custom().uri(redis.uri()).timeSource(clock).build(); // 100 ms
        warmUp(primary);
        limiter = FallbackRateLimiter.custom().primary(primary).timeSource(clock)
                .config(FallbackConfig.custom().waitDurationInOpenState(WAIT).build()).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (load != null) {
                load.stopAndJoin();
            }
        } finally {
            limiter.close();
            redis.close();
        }
    }

    /**
     * Loads the classes, the script and a pooled connection per load thread before the breaker counts anything, so
     * the first decisions under load are not cold calls that a loaded machine makes slower than the breaker's
     * slow-call threshold: with the clock frozen, a breaker opened before the fault would never close again. Best
     * effort: Redis is healthy here and a call that still fails only means a colder start.
     */
    private void warmUp(RedisRateLimiter primary) {
        ConcurrentBurst.run(THREADS, 3, (thread, i) -> {
            try {
                return primary.acquire("warm-up", rule).store();
            } catch (RuntimeException e) {
                return null;
            }
        });
    }

    @Test
    void sigkillUnderLoad() throws Exception {
        load = new Load();
        load.start();
        assertThat(load.redisDecisions.await(30, TimeUnit.SECONDS)).as("Redis decided under load").isTrue();
        redis.kill();
        load.startCountingFallback();
        assertThat(load.fallbackDecisions.await(30, TimeUnit.SECONDS)).as("fallback decided").isTrue();
        load.stopAndJoin();

        assertThat(load.errors).isEmpty();
        assertThat(load.maxLatencyNanos.get()).isLessThan(LIVENESS_BOUND_NANOS);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(load.allowed(Store.REDIS)).isLessThanOrEqualTo(LIMIT);
        assertThat(load.allowed(Store.FALLBACK)).as("the fallback enforces the limit exactly").isEqualTo(LIMIT);
        assertThat(load.denied(Store.FALLBACK)).isPositive();

        redis.restart();
        assertBackOnRedis();
    }

    @Test
    void sigstopUnderLoad() throws Exception {
        load = new Load();
        load.start();
        assertThat(load.redisDecisions.await(30, TimeUnit.SECONDS)).as("Redis decided under load").isTrue();
        redis.pause();
        load.startCountingFallback();
        assertThat(load.fallbackDecisions.await(30, TimeUnit.SECONDS)).as("fallback decided").isTrue();
        // keep Redis frozen through three breaker cycles: each time the wait is over, the trial calls meet the
        // frozen Redis, time out, and the breaker opens again; meanwhile the fallback keeps answering
        for (int cycle = 0; cycle < 3; cycle++) {
            // fallback decisions start while the tripping thread is still building the open state: wait for it,
            // or the advance below may happen before the wait is measured, and then no probe comes in this cycle.
            // (HALF_OPEN_TO_OPEN is published after the new open state is in place, so later cycles pass at once.)
            awaitOpen(cycle);
            CountDownLatch reopened = new CountDownLatch(1);
            limiter.circuitBreaker().getEventPublisher().onStateTransition(e -> {
                if (e.getStateTransition() == CircuitBreaker.StateTransition.HALF_OPEN_TO_OPEN) {
                    reopened.countDown();
                }
            });
            clock.advance(WAIT.plusMillis(1));
            assertThat(reopened.await(30, TimeUnit.SECONDS)).as("probe cycle %d failed and reopened", cycle).isTrue();
        }
        load.stopAndJoin();

        assertThat(load.errors).isEmpty();
        assertThat(load.maxLatencyNanos.get()).isLessThan(LIVENESS_BOUND_NANOS);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(load.allowed(Store.FALLBACK)).isEqualTo(LIMIT);

        redis.resume();
        assertBackOnRedis();
    }

    /** Waits until the breaker's open state, and with it the end of its wait, is in place. */
    private void awaitOpen(int cycle) throws InterruptedException {
        CountDownLatch opened = new CountDownLatch(1);
        limiter.circuitBreaker().getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                opened.countDown();
            }
        });
        // the transition is published after the state is set: either it is set now, or its event is still to come
        if (limiter.state() != CircuitBreaker.State.OPEN) {
            assertThat(opened.await(30, TimeUnit.SECONDS)).as("breaker open before probe cycle %d (it is %s)", cycle,
                    limiter.state()).isTrue();
        }
    }

    private void assertBackOnRedis() {
        // the Redis errors behind any decision that fell back, so that a failure here says why
        Queue<String> redisErrors = new ConcurrentLinkedQueue<>();
        limiter.circuitBreaker().getEventPublisher().onError(e -> redisErrors.add(e.getThrowable() + " after "
                + e.getElapsedDuration().toMillis() + " ms"));
        clock.advance(WAIT.plusMillis(1));
        List<Store> stores = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stores.add(limiter.acquire("other-client", rule).store());
        }
        assertThat(stores).as(() -> "stores once Redis is back; Redis errors: " + redisErrors)
                .containsOnly(Store.REDIS);
        assertThat(limiter.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /** Threads that take decisions for one key until stopped, recording stores, outcomes, errors and latency. */
    private final class Load {
        final CountDownLatch redisDecisions = new CountDownLatch(200);
        final CountDownLatch fallbackDecisions = new CountDownLatch(500);
        final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final AtomicLong maxLatencyNanos = new AtomicLong();
        final AtomicInteger[] allowedByStore = counters();
        final AtomicInteger[] deniedByStore = counters();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean countFallback = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        void start() {
            for (int t = 0; t < THREADS; t++) {
                Thread thread = new Thread(this::run, "load-" + t);
                thread.setDaemon(true); // a failed test that never stops its load must not keep the JVM alive
                threads.add(thread);
                thread.start();
            }
        }

        /**
         * Runs until stopped. Not for a number of iterations: the breaker goes half-open only when a call asks it,
         * so load threads that ran out of iterations on a fast machine (fallback decisions take microseconds) would
         * leave a probe cycle without a probe.
         */
        void run() {
            while (!stop.get()) {
                long begin = System.nanoTime();
                try {
                    Decision d = limiter.acquire("client", rule);
                    (d.allowed() ? allowedByStore : deniedByStore)[d.store().ordinal()].incrementAndGet();
                    if (d.store() == Store.REDIS) {
                        redisDecisions.countDown();
                    } else if (countFallback.get()) {
                        fallbackDecisions.countDown();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
                maxLatencyNanos.accumulateAndGet(System.nanoTime() - begin, Math::max);
            }
        }

        void startCountingFallback() {
            countFallback.set(true);
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
            }
        }

        long allowed(Store store) {
            return allowedByStore[store.ordinal()].get();
        }

        long denied(Store store) {
            return deniedByStore[store.ordinal()].get();
        }

        private AtomicInteger[] counters() {
            AtomicInteger[] counters = new AtomicInteger[Store.values().length];
            for (int i = 0; i < counters.length; i++) {
                counters[i] = new AtomicInteger();
            }
            return counters;
        }
    }
}
