package dev.ratelimit.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The answer to one request: allowed or not, and everything a caller needs to tell the client (limit, remaining,
 * reset, retry-after) plus which {@link Store} decided. With several rules, {@link #limits()} holds each one and the
 * accessors report the most restrictive: when denied, the denying rule with the longest wait; when allowed, the rule
 * with the fewest permits left.
 */
public final class Decision {

    private final boolean allowed;
    private final Store store;
    private final List<RuleOutcome> limits; // null for one rule: made when asked (most callers never ask)
    private final RuleOutcome reported;
    private final long retryMicros;

    private Decision(Store store, RuleOutcome only) {
        this.store = Objects.requireNonNull(store, "store");
        this.limits = null;
        this.allowed = only.allowed();
        this.retryMicros = allowed ? 0 : Math.max(1, only.retryMicros());
        this.reported = only;
    }

    private Decision(Store store, List<RuleOutcome> limits) {
        this.store = Objects.requireNonNull(store, "store");
        this.limits = List.copyOf(limits);
        if (this.limits.isEmpty()) {
            throw new IllegalArgumentException("a decision needs at least one limit");
        }
        boolean all = true;
        long retry = 0;
        RuleOutcome pick = null;
        for (RuleOutcome s : this.limits) {
            all &= s.allowed();
            retry = Math.max(retry, s.retryMicros());
        }
        for (RuleOutcome s : this.limits) {
            if (pick == null || isMoreRestrictive(s, pick, all)) {
                pick = s;
            }
        }
        this.allowed = all;
        this.retryMicros = all ? 0 : Math.max(1, retry);
        this.reported = pick;
    }

    /**
     * A decision from per-rule states; it is allowed only when every state is.
     *
     * @param store  which store decided
     * @param limits one state per rule, in the order of the rules (copied; at least one)
     * @return the decision
     */
    public static Decision of(Store store, List<RuleOutcome> limits) {
        return new Decision(store, limits);
    }

    /**
     * A decision under one rule; allowed when its state is.
     *
     * @param store which store decided
     * @param only  the rule's state
     * @return the decision
     */
    public static Decision of(Store store, RuleOutcome only) {
        return new Decision(store, only);
    }

    private static boolean isMoreRestrictive(RuleOutcome a, RuleOutcome b, boolean allAllowed) {
        if (!allAllowed) {
            if (a.allowed() != b.allowed()) {
                return !a.allowed();
            }
            if (a.retryMicros() != b.retryMicros()) {
                return a.retryMicros() > b.retryMicros();
            }
        }
        if (a.remaining() != b.remaining()) {
            return a.remaining() < b.remaining();
        }
        return a.resetMicros() > b.resetMicros();
    }

    /**
     * Whether the request may proceed.
     *
     * @return {@code true} when every rule admitted the request
     */
    public boolean allowed() {
        return allowed;
    }

    /**
     * Which store made the decision.
     *
     * @return the store; {@link Store#NONE} when the failure policy decided without counting
     */
    public Store store() {
        return store;
    }

    /**
     * Each rule's state, in the order the rules were given.
     *
     * @return an unmodifiable list with one state per rule
     */
    public List<RuleOutcome> limits() {
        return limits != null ? limits : List.of(reported);
    }

    /**
     * The most restrictive rule's state: the one to report in single-valued headers.
     *
     * @return when denied, the denying rule with the longest wait; when allowed, the rule with the fewest permits left
     */
    public RuleOutcome reported() {
        return reported;
    }

    /**
     * The reported rule's limit.
     *
     * @return permits per window of the {@link #reported()} rule
     */
    public long limit() {
        return reported.rule().limit();
    }

    /**
     * The reported rule's remaining permits.
     *
     * @return permits still available under the {@link #reported()} rule; never negative
     */
    public long remaining() {
        return reported.remaining();
    }

    /**
     * Time until the reported rule's full limit is available again.
     *
     * @return the wait, microsecond precision; zero when the limit is already whole
     */
    public Duration resetAfter() {
        return reported.resetAfter();
    }

    /**
     * Time until the request could be retried with success: the longest wait over all rules.
     *
     * @return the wait, microsecond precision; zero when allowed, at least one microsecond when denied
     */
    public Duration retryAfter() {
        return Duration.ofNanos(retryMicros * 1_000L);
    }

    /**
     * {@link #retryAfter()} in whole seconds, rounded up, as the {@code Retry-After} header wants it.
     *
     * @return seconds to wait; zero when allowed, at least 1 when denied
     */
    public long retryAfterSeconds() {
        return (retryMicros + 999_999L) / 1_000_000L;
    }

    /**
     * This decision as made by another store (the fallback marks the in-memory decisions it serves).
     *
     * @param newStore the store to report
     * @return this decision when the store is the same, else a copy with the same limits and {@code newStore}
     */
    public Decision withStore(Store newStore) {
        if (newStore == store) {
            return this;
        }
        return limits == null ? new Decision(newStore, reported) : new Decision(newStore, limits);
    }

    @Override
    public String toString() {
        return (allowed ? "allowed" : "denied") + " by " + store + " " + limits();
    }
}
