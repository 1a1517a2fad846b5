package dev.ratelimit.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.ratelimit.core.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link RateLimiter} that keeps its state in this JVM: the embedded default when no Redis is configured, and the
 * fallback while Redis is failing. Same algorithms and answers as the Redis limiter. The state lives in a bounded
 * Caffeine cache (at most {@code maximumKeys} entries, each dropped once it equals a fresh one, at most two windows
 * after its last use), so a flood of distinct keys cannot exhaust the heap. Thread-safe without a global lock: keys are guarded by striped locks, and a
 * request with several rules takes its stripes in a fixed order.
 */
public final class InMemoryRateLimiter implements RateLimiter {

    private static final int STRIPES = 1024;
    private static final int SPINS = 64;

    private final TimeSource time;
    private final Cache<StateKey, AlgorithmState> states;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    private InMemoryRateLimiter(Builder b) {
        this.time = b.timeSource;
        this.states = Caffeine.newBuilder()
                .maximumSize(b.maximumKeys)
                .ticker(() -> time.nowMicros() * 1_000L)
                .expireAfter(new UntilFresh())
                .build();
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /**
     * A limiter with the defaults: the system clock and at most 100,000 keys.
     *
     * @return a new limiter
     */
    public static InMemoryRateLimiter ofDefaults() {
        return custom().build();
    }

    /**
     * A builder for a limiter with a chosen clock or size bound.
     *
     * @return a new builder
     */
    public static Builder custom() {
        return new Builder();
    }

    @Override
    public Decision acquire(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        String client = ClientKeys.normalize(key);
        int n = rules.size();
        if (n == 1) {
            return acquireOne(client, rules.get(0));
        }
        StateKey[] keys = new StateKey[n];
        int[] stripes = new int[n];
        for (int i = 0; i < n; i++) {
            RateLimitRule rule = rules.get(i);
            keys[i] = new StateKey(client, rule.name(), rule.algorithm().ordinal());
            stripes[i] = stripe(keys[i]);
        }
        Arrays.sort(stripes);
        lock(stripes);
        try {
            return decide(keys, rules, time.nowMicros());
        } finally {
            unlock(stripes);
        }
    }

    /** The common case, one rule: one key, one lock, no arrays. */
    private Decision acquireOne(String client, RateLimitRule rule) {
        StateKey key = new StateKey(client, rule.name(), rule.algorithm().ordinal());
        ReentrantLock lock = locks[stripe(key)];
        lock(lock);
        try {
            long t = time.nowMicros();
            AlgorithmState state = states.getIfPresent(key);
            boolean created = state == null;
            if (created) {
                state = AlgorithmState.create(rule.algorithm());
            }
            AlgorithmState.Check check = state.evaluate(t, rule.limit(), rule.windowMicros(), rule.cost());
            if (check.ok) {
                state.commit(check, t, rule.limit(), rule.windowMicros(), rule.cost());
                store(key, state, created, t, rule.windowMicros());
            }
            return Decision.of(Store.MEMORY,
                    List.of(new LimitState(rule, check.ok, check.remaining, check.resetMicros, check.retryMicros)));
        } finally {
            lock.unlock();
        }
    }

    private Decision decide(StateKey[] keys, List<RateLimitRule> rules, long t) {
        int n = keys.length;
        AlgorithmState[] found = new AlgorithmState[n];
        boolean[] created = new boolean[n];
        AlgorithmState.Check[] checks = new AlgorithmState.Check[n];
        boolean allOk = true;
        for (int i = 0; i < n; i++) {
            RateLimitRule rule = rules.get(i);
            AlgorithmState state = states.getIfPresent(keys[i]);
            if (state == null) {
                state = AlgorithmState.create(rule.algorithm());
                created[i] = true;
            }
            found[i] = state;
            checks[i] = state.evaluate(t, rule.limit(), rule.windowMicros(), rule.cost());
            allOk &= checks[i].ok;
        }
        List<LimitState> limits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RateLimitRule rule = rules.get(i);
            AlgorithmState.Check check = checks[i];
            if (allOk) {
                found[i].commit(check, t, rule.limit(), rule.windowMicros(), rule.cost());
                store(keys[i], found[i], created[i], t, rule.windowMicros());
            }
            limits.add(new LimitState(rule, check.ok, check.remaining, check.resetMicros, check.retryMicros));
        }
        return Decision.of(Store.MEMORY, limits);
    }

    /**
     * Keeps a committed state in the cache for at least as long as it differs from a fresh one. Re-inserting on
     * every commit (to move the cache's expiry) costs more than the decision itself, so a state holds a lease: the
     * cache keeps it until then, and only a commit that moves {@code expiresAtMicros} past the lease re-inserts it,
     * with a lease of two windows (no algorithm's state outlives two windows after a commit). A hot key is thus
     * re-inserted about once per window; an idle one is dropped at most two windows after its last commit.
     */
    private void store(StateKey key, AlgorithmState state, boolean created, long t, long window) {
        if (created || state.expiresAtMicros > state.leaseMicros) {
            state.leaseMicros = Math.max(state.expiresAtMicros, t + 2 * window);
            states.put(key, state);
        }
    }

    /**
     * How many keys hold state now.
     *
     * @return the number of (key, rule) states held; an estimate, as entries past their expiry may still be counted
     */
    public long estimatedSize() {
        return states.estimatedSize();
    }

    /**
     * The approximate heap held by the state of all keys (for the memory report).
     *
     * @return an estimate in bytes; walks every entry, so it is not for the request path
     */
    public long estimatedFootprintBytes() {
        long total = 0;
        for (AlgorithmState s : states.asMap().values()) {
            total += s.footprintBytes() + 64;
        }
        return total;
    }

    /** Runs pending evictions now (tests). */
    void cleanUp() {
        states.cleanUp();
    }

    @Override
    public void close() {
        states.invalidateAll();
        states.cleanUp();
    }

    private static int stripe(StateKey key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        return h & (STRIPES - 1);
    }

    private void lock(int[] stripes) {
        int previous = -1;
        for (int s : stripes) {
            if (s != previous) {
                lock(locks[s]);
                previous = s;
            }
        }
    }

    /**
     * Takes a stripe lock, spinning briefly first: a decision holds the lock for well under a microsecond, so a
     * waiting thread gets it sooner by spinning than by parking and being woken (which costs microseconds).
     */
    private static void lock(ReentrantLock lock) {
        for (int i = 0; i < SPINS; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    private void unlock(int[] stripes) {
        int previous = -1;
        for (int s : stripes) {
            if (s != previous) {
                locks[s].unlock();
                previous = s;
            }
        }
    }

    /** One rule's state for one client: the rule name and algorithm, as in the Redis key. */
    private record StateKey(String client, String rule, int algorithm) {
    }

    /** Drops a state when its lease ends: never before it equals a fresh one, at most two windows after its last commit. */
    private static final class UntilFresh implements Expiry<StateKey, AlgorithmState> {
        @Override
        public long expireAfterCreate(StateKey key, AlgorithmState value, long currentTime) {
            return Math.max(0, value.leaseMicros * 1_000L - currentTime);
        }

        @Override
        public long expireAfterUpdate(StateKey key, AlgorithmState value, long currentTime, long currentDuration) {
            return Math.max(0, value.leaseMicros * 1_000L - currentTime);
        }

        @Override
        public long expireAfterRead(StateKey key, AlgorithmState value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }

    /** Builds an {@link InMemoryRateLimiter}; values are checked when set. */
    public static final class Builder {
        private TimeSource timeSource = TimeSource.system();
        private long maximumKeys = 100_000;

        private Builder() {
        }

        /**
         * The clock; {@link TimeSource#system()} unless set. Tests pass a controlled one.
         *
         * @param timeSource the clock
         * @return this builder
         * @throws IllegalArgumentException when {@code timeSource} is null
         */
        public Builder timeSource(TimeSource timeSource) {
            if (timeSource == null) {
                throw new IllegalArgumentException("timeSource must not be null");
            }
            this.timeSource = timeSource;
            return this;
        }

        /**
         * The most (key, rule) states kept; the least recently used beyond it are dropped, which forgets their
         * consumption. 100,000 unless set.
         *
         * @param maximumKeys at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code maximumKeys} is less than 1
         */
        public Builder maximumKeys(long maximumKeys) {
            if (maximumKeys < 1) {
                throw new IllegalArgumentException("maximumKeys must be at least 1, was " + maximumKeys);
            }
            this.maximumKeys = maximumKeys;
            return this;
        }

        /**
         * The limiter.
         *
         * @return a new, empty limiter; thread-safe
         */
        public InMemoryRateLimiter build() {
            return new InMemoryRateLimiter(this);
        }
    }
}
