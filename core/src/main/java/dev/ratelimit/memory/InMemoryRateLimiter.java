package dev.ratelimit.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import dev.ratelimit.core.Algorithm;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.KeyedRule;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.internal.Operations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link RateLimiter} that keeps its state in this JVM: the embedded default when no Redis is configured, and the
 * fallback while Redis is failing. Same algorithms and answers as the Redis limiter. The state lives in a bounded
 * Caffeine cache (at most {@code maximumKeys} entries, each dropped once it equals a fresh one, at most two windows
 * after its last use), so a flood of distinct keys cannot exhaust the heap. Thread-safe without a global lock: a
 * decision holds its key's state's lock for the arithmetic only, and a request with several rules takes its states'
 * locks in one global order.
 */
public final class InMemoryRateLimiter implements RateLimiter {

    /** The most (key, rule) states kept unless {@link Builder#maximumKeys(long)} sets another. */
    public static final long DEFAULT_MAXIMUM_KEYS = 100_000;


    /** How far the cache's clock may lag the decisions' clock, in microseconds. */
    private static final long TICK_MICROS = 1_000;

    private final TimeSource time;
    private final Cache<StateKey, AlgorithmState> states;
    private final Policy<StateKey, AlgorithmState> policy;

    /**
     * The cache's clock: the time of the latest decision, in microseconds, published at most every
     * {@value #TICK_MICROS} µs. Reading the clock costs more than the whole lookup, and a decision reads it anyway; a
     * lagging cache clock only drops idle states a little later (a state past its lease equals a fresh one, so finding
     * it still cached changes no decision).
     */
    private volatile long cacheMicros;

    private InMemoryRateLimiter(Builder b) {
        this.time = b.timeSource;
        this.cacheMicros = time.nowMicros();
        this.states = Caffeine.newBuilder()
                .maximumSize(b.maximumKeys)
                .ticker(() -> cacheMicros * 1_000L)
                .expireAfter(new UntilFresh())
                .executor(Runnable::run) // the cache's upkeep is a few ns per call: no hand-off to another thread
                .build();
        this.policy = states.policy();
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

    /** The common case, one rule: one lookup, one lock held for the arithmetic only, no arrays. */
    @Override
    public Decision acquire(String key, RateLimitRule rule) {
        if (rule == null) {
            throw new IllegalArgumentException("at least one rule is needed");
        }
        StateKey stateKey = StateKey.of(ClientKeys.bounded(key), rule);
        AlgorithmState state = stateOf(stateKey, rule);
        long limit = rule.limit();
        long window = rule.windowMicros();
        long t = time.nowMicros(); // before the lock: the state keeps its own time monotonic
        RuleOutcome result;
        boolean renew;
        state.lock();
        try {
            state.acquire(t, limit, window, rule.cost(), penaltyMicros(rule));
            result = state.limitState(rule);
            renew = state.extendLease(t, window, cacheMicros);
        } finally {
            state.unlock();
        }
        if (renew) {
            states.put(stateKey, state);
        }
        tick(t);
        return Decision.of(Store.MEMORY, result);
    }

    @Override
    public Decision acquire(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        int n = rules.size();
        if (n == 1) {
            return acquire(key, rules.get(0));
        }
        String client = ClientKeys.bounded(key);
        StateKey[] keys = new StateKey[n];
        for (int i = 0; i < n; i++) {
            keys[i] = StateKey.of(client, rules.get(i));
        }
        return acquireAll(keys, rules, false);
    }

    @Override
    public Decision acquire(List<KeyedRule> rules) {
        ClientKeys.checkKeyedRules(rules);
        int n = rules.size();
        StateKey[] keys = new StateKey[n];
        List<RateLimitRule> plain = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KeyedRule r = rules.get(i);
            keys[i] = StateKey.of(ClientKeys.bounded(r.key()), r.rule());
            plain.add(r.rule());
        }
        return acquireAll(keys, plain, false);
    }

    /**
     * What a request would get now, nothing taken: each rule checked as {@link #acquire(String, List)} checks it, and
     * the permits it would take left where they are (so an admitting rule reports the permits left before the
     * request). Writes nothing but a changed rule's carried-over state, as the check of an acquisition does; a key
     * without state gets no entry.
     */
    @Override
    public Decision peek(String key, List<RateLimitRule> rules) {
        ClientKeys.checkRules(rules);
        String client = ClientKeys.bounded(key);
        int n = rules.size();
        StateKey[] keys = new StateKey[n];
        for (int i = 0; i < n; i++) {
            keys[i] = StateKey.of(client, rules.get(i));
        }
        return acquireAll(keys, rules, true);
    }

    /** Forgets the state of {@code rule}'s counter for {@code key}, a block included. */
    @Override
    public void reset(String key, RateLimitRule rule) {
        AlgorithmState state = existing(key, rule);
        if (state == null) {
            return;
        }
        state.lock();
        try {
            state.forget();
        } finally {
            state.unlock();
        }
    }

    /** Replaces the state of {@code rule}'s counter for {@code key} by a block until {@code duration} from now. */
    @Override
    public void block(String key, RateLimitRule rule, Duration duration) {
        long micros = Operations.blockMicros(duration);
        StateKey stateKey = StateKey.of(ClientKeys.bounded(Operations.checkRule(key, rule)), rule);
        AlgorithmState state = stateOf(stateKey, rule);
        long t = time.nowMicros();
        boolean renew;
        state.lock();
        try {
            state.block(t, t + micros);
            renew = state.extendLease(t, rule.windowMicros(), cacheMicros);
        } finally {
            state.unlock();
        }
        if (renew) {
            states.put(stateKey, state);
        }
        tick(t);
    }

    /** Gives back up to {@code permits} on {@code rule}'s counter for {@code key}, as docs/operating.md says. */
    @Override
    public void refund(String key, RateLimitRule rule, long permits) {
        long amount = Operations.refundPermits(permits);
        AlgorithmState state = existing(key, rule);
        if (state == null) {
            return;
        }
        long t = time.nowMicros();
        state.lock();
        try {
            state.refundAt(t, amount);
        } finally {
            state.unlock();
        }
        tick(t);
    }

    /** The state of {@code rule}'s counter for {@code key} if one is held (the key and rule checked), else null. */
    private AlgorithmState existing(String key, RateLimitRule rule) {
        return policy.getIfPresentQuietly(StateKey.of(ClientKeys.bounded(Operations.checkRule(key, rule)), rule));
    }

    /** A rule's block after a denial in µs; 0 for none. */
    private static long penaltyMicros(RateLimitRule rule) {
        Duration d = rule.blockAfterDenial();
        return d.isZero() ? 0 : d.toNanos() / 1_000L;
    }

    /**
     * Several states at once: their locks taken in one global order, all checked, all committed only if all pass;
     * with {@code peek}, checked only (states not held are not created).
     */
    private Decision acquireAll(StateKey[] keys, List<RateLimitRule> rules, boolean peek) {
        int n = keys.length;
        AlgorithmState[] found = new AlgorithmState[n];
        for (int i = 0; i < n; i++) {
            if (peek) {
                AlgorithmState held = policy.getIfPresentQuietly(keys[i]);
                found[i] = held != null ? held : AlgorithmState.create(rules.get(i));
            } else {
                found[i] = stateOf(keys[i], rules.get(i));
            }
        }
        AlgorithmState[] byOrder = found.clone();
        Arrays.sort(byOrder, (a, b) -> Long.compare(a.order, b.order));
        RuleOutcome[] results = new RuleOutcome[n];
        boolean[] renew = new boolean[n];
        for (AlgorithmState state : byOrder) {
            state.lock();
        }
        try {
            long t = time.nowMicros();
            decide(found, rules, t, cacheMicros, results, renew, peek);
            tick(t);
        } finally {
            for (int i = n - 1; i >= 0; i--) {
                byOrder[i].unlock();
            }
        }
        for (int i = 0; i < n; i++) {
            if (renew[i] && (!peek || policy.getIfPresentQuietly(keys[i]) == found[i])) {
                states.put(keys[i], found[i]);
            }
        }
        return Decision.of(Store.MEMORY, Arrays.asList(results));
    }

    /**
     * Every rule is checked at its state's effective time (a block in force denies); the permits are taken from all
     * only when all pass (never with {@code peek}); a rule that denies, not by a block, and blocks after a denial
     * blocks (not with {@code peek}).
     */
    private static void decide(AlgorithmState[] found, List<RateLimitRule> rules, long t, long cacheMicros,
            RuleOutcome[] results, boolean[] renew, boolean peek) {
        int n = found.length;
        long[] at = new long[n];
        boolean[] blocked = new boolean[n];
        boolean allOk = !peek;
        for (int i = 0; i < n; i++) {
            RateLimitRule rule = rules.get(i);
            at[i] = found[i].at(t);
            blocked[i] = found[i].blockedAt(t);
            if (blocked[i]) {
                at[i] = t;
                allOk = false;
            } else {
                allOk &= found[i].evaluate(at[i], rule.limit(), rule.windowMicros(), rule.cost(), false);
            }
        }
        for (int i = 0; i < n; i++) {
            RateLimitRule rule = rules.get(i);
            AlgorithmState state = found[i];
            if (allOk) {
                state.commit(at[i], rule.limit(), rule.windowMicros(), rule.cost());
                state.committed(t, at[i], rule.limit(), rule.windowMicros());
            } else if (!peek && !state.ok && !blocked[i] && !rule.blockAfterDenial().isZero()) {
                state.penalize(t, penaltyMicros(rule));
                at[i] = t;
            } else {
                state.more(at[i], rule.limit(), rule.windowMicros());
            }
            // after a commit, or a state carried over to a changed rule (which may outlive the lease too)
            renew[i] = state.extendLease(t, rule.windowMicros(), cacheMicros);
            state.countFrom(t, at[i]);
            results[i] = state.limitState(rule);
        }
    }

    /**
     * The key's state, created fresh when there is none. The cache keeps a state until its lease ends; a new state's
     * lease is two windows (no algorithm's state outlives two windows after a commit), and a commit that moves
     * {@code expiresAtMicros} past the lease extends it to two windows from then and re-inserts the state, so the
     * cache's expiry moves (re-inserting on every commit would cost more than the decision itself). A hot key is thus
     * re-inserted about once per window; an idle one is dropped at most two windows after its last commit, and never
     * before it equals a fresh state.
     */
    private AlgorithmState stateOf(StateKey key, RateLimitRule rule) {
        // quietly: a state's expiry is its lease, which reads do not move
        AlgorithmState state = policy.getIfPresentQuietly(key);
        if (state != null) {
            return state;
        }
        return states.get(key, k -> {
            AlgorithmState fresh = AlgorithmState.create(rule);
            fresh.leaseMicros = Math.max(time.nowMicros(), cacheMicros) + 2 * rule.windowMicros();
            return fresh;
        });
    }

    /** Advances the cache's clock to {@code t} once it lags by a tick (a shared write, so not on every call). */
    private void tick(long t) {
        if (t - cacheMicros >= TICK_MICROS) {
            cacheMicros = t;
        }
    }

    /**
     * How many keys hold state now.
     *
     * @return the number of (key, rule) states held; an estimate, as entries past their expiry may still be counted
     */
    long estimatedSize() {
        return states.estimatedSize();
    }

    /**
     * The approximate heap held by the state of all keys (for the memory report).
     *
     * @return an estimate in bytes; walks every entry, so it is not for the request path
     */
    long estimatedFootprintBytes() {
        long total = 0;
        for (AlgorithmState s : states.asMap().values()) {
            total += s.footprintBytes() + 64;
        }
        return total;
    }

    /** Runs pending evictions now (tests). */
    void cleanUp() {
        cacheMicros = Math.max(cacheMicros, time.nowMicros());
        states.cleanUp();
    }


    @Override
    public void close() {
        states.invalidateAll();
        states.cleanUp();
    }

    /** One counter for one client: the rule's name, algorithm, limit and window, as in the Redis key. */
    private record StateKey(String client, String rule, Algorithm algorithm, long limit, long window) {
        static StateKey of(String client, RateLimitRule rule) {
            return new StateKey(client, rule.name(), rule.algorithm(), rule.counterLimit(), rule.counterWindowMicros());
        }
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
        private long maximumKeys = DEFAULT_MAXIMUM_KEYS;

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
