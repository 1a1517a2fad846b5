package dev.ratelimit.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store of {@link DenialCachingRateLimiter}: once Redis has denied a request with a retry-after, the same request
 * (same client key, same rules — names, limits, windows, algorithms, costs) is denied locally until that moment,
 * without a Redis call. The answer is certain, not a guess:
 *
 * <ul>
 *   <li>only a denial Redis itself returned ({@code Store.REDIS}) is remembered (the fallback's and the failure
 *       policy's answers are never kept);</li>
 *   <li>the wait is counted from the moment the request was <em>sent</em>, so the round trip never lengthens it:
 *       Redis decided after that moment, and a rule it denied cannot pass before its own decision time plus the
 *       retry-after. When Redis reads its own clock, the wait is shortened by 1/1024 (about 0.1 %), more than the
 *       500 ppm by which NTP may slew one clock against the other;</li>
 *   <li>the request's wait is the longest retry-after among its denying rules whose retry-after is exact — a lower
 *       bound on when that rule can pass, whatever other requests do meanwhile (they only consume). That holds for
 *       {@code FIXED_WINDOW}, {@code SLIDING_WINDOW_LOG}, {@code TOKEN_BUCKET} and {@code GCRA}.
 *       {@code SLIDING_WINDOW_COUNTER}'s retry-after is computed in closed form in doubles and may be one microsecond
 *       late, so its rules never make a denial cacheable;</li>
 *   <li>entries expire at that moment on the limiter's clock (checked on every read, not left to the cache's
 *       clean-up), and at most {@code maximumKeys} are kept.</li>
 * </ul>
 * The decision served from the cache is the one Redis returned, with each rule's reset and retry-after counted down.
 *
 * <p>A reset, refund or block of a client (on any instance: see {@link DenialCachingRateLimiter}) drops that client's
 * denials, which the operation may have made wrong.
 */
final class DenialCache {

    private final Cache<Key, Entry> entries;
    private final TimeSource clock;
    private final boolean driftMargin;

    /**
     * Counts the invalidations ({@link #invalidate}, {@link #invalidateAll}): a denial is kept only when none happened
     * between the moment its request was sent and its answer, which may have been decided before a reset or refund
     * whose invalidation already ran.
     */
    private final AtomicLong generation = new AtomicLong();

    /**
     * @param maximumKeys most denials kept
     * @param clock       the limiter's clock: the one sent to Redis, or the system clock when Redis reads its own
     * @param driftMargin whether Redis decides on its own clock (so the two clocks may drift apart)
     */
    DenialCache(long maximumKeys, TimeSource clock, boolean driftMargin) {
        this.clock = clock;
        this.driftMargin = driftMargin;
        this.entries = Caffeine.newBuilder()
                .maximumSize(maximumKeys)
                .ticker(() -> clock.nowMicros() * 1_000L)
                .expireAfter(new UntilDeadline())
                .build();
    }

    /** The invalidation count to pass to {@link #offer}: read just before the request is sent. */
    long generation() {
        return generation.get();
    }

    /**
     * Drops every denial held for the client key (its state was reset, refunded or blocked, here or on another
     * instance). Walks the held denials: operations are rare, requests many.
     */
    void invalidate(String client) {
        generation.incrementAndGet();
        entries.asMap().keySet().removeIf(k -> k.client.equals(client));
    }

    /** Drops every denial held (invalidations may have been missed, e.g. while the subscription was down). */
    void invalidateAll() {
        generation.incrementAndGet();
        entries.invalidateAll();
    }

    /** The time to count a request's wait from: read just before the request is sent. */
    long now() {
        return clock.nowMicros();
    }

    /** The cached denial of this request as of now, or null when there is none (or it has just run out). */
    Decision get(String client, List<RateLimitRule> rules) {
        Entry e = entries.getIfPresent(new Key(client, rules));
        if (e == null) {
            return null;
        }
        long now = clock.nowMicros();
        return now < e.until ? e.at(now) : null;
    }

    /**
     * Remembers Redis's answer to a request sent at {@code sentAt} if it is a denial with a certain wait and no
     * invalidation ran since the request's {@link #generation()}, {@code sentGeneration}.
     */
    void offer(String client, List<RateLimitRule> rules, long sentAt, long sentGeneration, Decision decision) {
        if (decision.allowed() || decision.store() != Store.REDIS || generation.get() != sentGeneration) {
            return;
        }
        long wait = 0;
        for (RuleOutcome s : decision.limits()) {
            if (!s.allowed() && s.rule().algorithm() != Algorithm.SLIDING_WINDOW_COUNTER) {
                wait = Math.max(wait, s.retryMicros());
            }
        }
        if (driftMargin) {
            wait -= wait >> 10;
        }
        long until = sentAt + wait;
        if (wait > 0 && until > clock.nowMicros()) {
            Key key = new Key(client, rules);
            entries.put(key, new Entry(decision, sentAt, until));
            if (generation.get() != sentGeneration) {
                entries.invalidate(key); // an invalidation ran while it was put
            }
        }
    }

    /** Denials held now (after pending evictions; for tests). */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    /** A request: the normalized client key and its rules, each with its cost. */
    private record Key(String client, List<RateLimitRule> rules) {
    }

    /** A denial, when its request was sent, and until when it holds. */
    private static final class Entry {
        final Decision decision;
        final long sentAt;
        final long until;

        Entry(Decision decision, long sentAt, long until) {
            this.decision = decision;
            this.sentAt = sentAt;
            this.until = until;
        }

        /** The denial with its times counted down to {@code now}. */
        Decision at(long now) {
            long elapsed = now - sentAt;
            List<RuleOutcome> limits = decision.limits();
            List<RuleOutcome> aged = new ArrayList<>(limits.size());
            for (RuleOutcome s : limits) {
                aged.add(new RuleOutcome(s.rule(), s.allowed(), s.remaining(), Math.max(0, s.resetMicros() - elapsed),
                        s.allowed() ? 0 : Math.max(1, s.retryMicros() - elapsed),
                        s.allowed() ? Math.max(s.nextMicros() == 0 ? 0 : 1, s.nextMicros() - elapsed)
                                : Math.max(1, s.retryMicros() - elapsed)));
            }
            return Decision.of(Store.REDIS, aged);
        }
    }

    /** Each entry lives until its deadline. */
    private static final class UntilDeadline implements Expiry<Key, Entry> {
        @Override
        public long expireAfterCreate(Key key, Entry value, long currentTime) {
            return Math.max(0, value.until * 1_000L - currentTime);
        }

        @Override
        public long expireAfterUpdate(Key key, Entry value, long currentTime, long currentDuration) {
            return Math.max(0, value.until * 1_000L - currentTime);
        }

        @Override
        public long expireAfterRead(Key key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
