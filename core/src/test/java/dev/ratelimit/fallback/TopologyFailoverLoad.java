package dev.ratelimit.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.testing.ManualClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load for the failover tests: threads that take decisions from a {@link FallbackRateLimiter} for many client keys
 * until stopped, recording every exception that reaches them and how many decisions each store made. Also waits,
 * by bounded polling, until the breaker is back on Redis, moving the breaker's {@link ManualClock} past its
 * open-state wait whenever it finds the breaker open, so no test waits that wait out in real time.
 */
final class TopologyFailoverLoad {

    private static final Duration DEADLINE = Duration.ofSeconds(40);

    final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final FallbackRateLimiter limiter;
    private final RateLimitRule rule;
    private final AtomicLong[] decisionsByStore = new AtomicLong[Store.values().length];
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    TopologyFailoverLoad(FallbackRateLimiter limiter, RateLimitRule rule) {
        this.limiter = limiter;
        this.rule = rule;
        for (int i = 0; i < decisionsByStore.length; i++) {
            decisionsByStore[i] = new AtomicLong();
        }
    }

    void start(int threadCount) {
        for (int t = 0; t < threadCount; t++) {
            int id = t;
            Thread thread = new Thread(() -> run(id), "failover-load-" + t);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(int id) {
        for (long i = 0; !stop.get(); i++) {
            try {
                Decision d = limiter.acquire("load-" + id + "-" + (i % 64), rule);
                decisionsByStore[d.store().ordinal()].incrementAndGet();
            } catch (Throwable e) {
                errors.add(e);
            }
            if (i % 64 == 63) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // leave the 2 shared cores some air
            }
        }
    }

    long decisions(Store store) {
        return decisionsByStore[store.ordinal()].get();
    }

    /** Waits until the store has made {@code more} decisions beyond {@code from}. */
    void awaitDecisions(Store store, long from, long more) {
        await(store + " made " + more + " decisions", () -> decisions(store) >= from + more, null, null);
    }

    /**
     * Waits until the breaker is closed and Redis has made 50 more decisions; each time the breaker is found open,
     * moves {@code clock} past the open-state wait so the load's next calls probe Redis.
     */
    void awaitBackOnRedis(ManualClock clock, Duration waitInOpenState) {
        long[] redisAtClose = {-1};
        await("the breaker closed and Redis decides again", () -> {
            if (limiter.state() != CircuitBreaker.State.CLOSED) {
                redisAtClose[0] = -1;
                return false;
            }
            if (redisAtClose[0] < 0) {
                redisAtClose[0] = decisions(Store.REDIS);
            }
            return decisions(Store.REDIS) >= redisAtClose[0] + 50;
        }, clock, waitInOpenState);
    }

    private void await(String what, java.util.function.BooleanSupplier done, ManualClock clock, Duration wait) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + DEADLINE + " waiting until " + what + "; breaker "
                        + limiter.state() + ", decisions: Redis " + decisions(Store.REDIS) + ", fallback "
                        + decisions(Store.FALLBACK) + ", errors " + errors);
            }
            if (clock != null && limiter.state() == CircuitBreaker.State.OPEN) {
                clock.advance(wait.plusMillis(1));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    void stopAndJoin() throws InterruptedException {
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
        }
    }
}
