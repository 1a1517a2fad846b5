package dev.ratelimit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the same call from many threads at once, for concurrency tests: every thread waits on one barrier, so the
 * calls really overlap, then makes its calls back to back. Returns every result; any failure fails the burst.
 */
public final class ConcurrentBurst {

    private static final long TIMEOUT_SECONDS = 60;

    private ConcurrentBurst() {
    }

    /** One call of one thread. */
    @FunctionalInterface
    public interface Call<T> {
        /**
         * Makes call number {@code index} (0-based) of thread number {@code thread} (0-based).
         *
         * @throws Exception fails the burst
         */
        T call(int thread, int index) throws Exception;
    }

    /**
     * Starts {@code threads} threads together and lets each make {@code callsPerThread} calls.
     *
     * @return all results, thread by thread, each thread's in call order
     * @throws AssertionError when a call throws or the burst does not finish within 60 s
     */
    public static <T> List<T> run(int threads, int callsPerThread, Call<T> call) {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<T>>> futures = new ArrayList<>(threads);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<T> results = new ArrayList<>(callsPerThread);
                    start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    for (int i = 0; i < callsPerThread; i++) {
                        results.add(call.call(thread, i));
                    }
                    return results;
                }));
            }
            List<T> all = new ArrayList<>(threads * callsPerThread);
            for (Future<List<T>> f : futures) {
                all.addAll(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            return all;
        } catch (ExecutionException e) {
            throw new AssertionError("a call of the burst failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the burst did not finish within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during the burst", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
