package dev.ratelimit.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimitRule;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-state lock: a thread that finds it taken spins briefly, then parks on the state until it is free. */
class AlgorithmStateLockTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aWaiterParksOnTheStateAndTakesTheLockOnceItIsReleased() throws InterruptedException {
        AlgorithmState state = AlgorithmState.create(RateLimitRule.custom().name("lock").limit(10).window("1s").build());
        AtomicBoolean acquired = new AtomicBoolean();
        state.lock();
        Thread waiter = new Thread(() -> {
            state.lock();
            acquired.set(true);
            state.unlock();
        }, "lock-waiter");
        waiter.setDaemon(true); // a broken lock fails this test by its timeout instead of keeping the JVM alive
        waiter.start();

        // parked, not spinning: the state is the blocker a thread dump shows (never the case with a spin or a yield)
        while (LockSupport.getBlocker(waiter) != state) {
            assertThat(waiter.isAlive()).as("the waiter returned while the lock was held").isTrue();
            if (Thread.interrupted()) { // the timeout
                throw new AssertionError("the waiter never parked on the state");
            }
            Thread.onSpinWait();
        }
        assertThat(acquired).isFalse();

        state.unlock();
        waiter.join();
        assertThat(acquired).isTrue();
        state.lock(); // released again by the waiter
        state.unlock();
    }
}
