package dev.ratelimit.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Where one rule stands for one key after a decision.
 *
 * <p>When the request was allowed the numbers include its permits; when it was denied nothing was consumed and
 * the numbers describe the state as it was.
 *
 * @param rule         the rule
 * @param allowed      whether this rule alone would have admitted the request
 * @param remaining    permits still available now (never negative)
 * @param resetMicros  microseconds until the full limit is available again (0 when it already is); for the sliding
 *                     window counter an upper bound: the end of the window whose count still weighs
 * @param retryMicros  microseconds until a request of the same cost could pass this rule (0 when allowed, at least
 *                     1 when denied)
 * @param nextMicros   when allowed: microseconds until more than {@code remaining} permits are available, that is
 *                     until a request of cost {@code remaining + 1} could pass (0 when {@code remaining} is the whole
 *                     limit, or not known); when denied: equal to {@code retryMicros}. It is the {@code t} of the
 *                     {@code RateLimit} header field: within that time the client can take no more than
 *                     {@code remaining} permits
 */
public record RuleOutcome(RateLimitRule rule, boolean allowed, long remaining, long resetMicros, long retryMicros,
        long nextMicros) {

    /**
     * Validates the values.
     *
     * @param rule        the rule, not null
     * @param allowed     whether this rule alone would have admitted the request
     * @param remaining   permits still available now; not negative
     * @param resetMicros microseconds until the full limit is available again; not negative
     * @param retryMicros microseconds until a request of the same cost could pass; not negative
     * @param nextMicros  microseconds until more than {@code remaining} permits are available; not negative
     * @throws NullPointerException     when {@code rule} is null
     * @throws IllegalArgumentException when a number is negative
     */
    public RuleOutcome {
        Objects.requireNonNull(rule, "rule");
        if (remaining < 0 || resetMicros < 0 || retryMicros < 0 || nextMicros < 0) {
            throw new IllegalArgumentException("negative value in " + remaining + "/" + resetMicros + "/" + retryMicros
                    + "/" + nextMicros);
        }
    }

    /**
     * An outcome whose {@link #nextMicros()} is not known: {@code retryMicros} (so 0 when allowed).
     *
     * @param rule        the rule, not null
     * @param allowed     whether this rule alone would have admitted the request
     * @param remaining   permits still available now; not negative
     * @param resetMicros microseconds until the full limit is available again; not negative
     * @param retryMicros microseconds until a request of the same cost could pass; not negative
     * @throws NullPointerException     when {@code rule} is null
     * @throws IllegalArgumentException when a number is negative
     */
    public RuleOutcome(RateLimitRule rule, boolean allowed, long remaining, long resetMicros, long retryMicros) {
        this(rule, allowed, remaining, resetMicros, retryMicros, retryMicros);
    }

    /**
     * Time until the full limit is available again.
     *
     * @return {@link #resetMicros()} as a duration
     */
    public Duration resetAfter() {
        return Duration.ofNanos(resetMicros * 1_000L);
    }

    /**
     * Time until a request of the same cost could pass this rule.
     *
     * @return {@link #retryMicros()} as a duration; zero when allowed
     */
    public Duration retryAfter() {
        return Duration.ofNanos(retryMicros * 1_000L);
    }

    /**
     * Time until more than {@link #remaining()} permits are available (for a denial: until the request could pass).
     *
     * @return {@link #nextMicros()} as a duration; zero when not known or when the whole limit is available
     */
    public Duration nextAfter() {
        return Duration.ofNanos(nextMicros * 1_000L);
    }
}
