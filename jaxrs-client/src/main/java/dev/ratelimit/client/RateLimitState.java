package dev.ratelimit.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a {@link RateLimitClientFilter} has learned about one server (scheme, host and port), as of one moment: an
 * immutable snapshot from {@link RateLimitClientFilter#state(java.net.URI)}.
 */
public final class RateLimitState {

    /**
     * The name under which the unnamed policy of the draft-07 fields ({@code RateLimit-Limit},
     * {@code RateLimit-Remaining}, {@code RateLimit-Reset}) and of the {@code X-RateLimit-*} fields is kept: the empty
     * string.
     */
    public static final String UNNAMED = "";

    private final String authority;
    private final Instant asOf;
    private final Instant observedAt;
    private final Instant retryAfterUntil;
    private final List<Policy> policies;

    RateLimitState(String authority, Instant asOf, Instant observedAt, Instant retryAfterUntil,
            List<Policy> policies) {
        this.authority = authority;
        this.asOf = asOf;
        this.observedAt = observedAt;
        this.retryAfterUntil = retryAfterUntil;
        this.policies = List.copyOf(policies);
    }

    /**
     * The server this state is about.
     *
     * @return {@code scheme://host:port}, lower case, with the scheme's default port filled in
     */
    public String authority() {
        return authority;
    }

    /**
     * When this snapshot was taken, by the filter's clock; durations in it are relative to this moment.
     *
     * @return the instant
     */
    public Instant asOf() {
        return asOf;
    }

    /**
     * When the last response from this server that carried rate-limit fields was received.
     *
     * @return the instant, or empty when none has been received
     */
    public Optional<Instant> lastObserved() {
        return Optional.ofNullable(observedAt);
    }

    /**
     * Until when the last {@code Retry-After} (of a 429 or 503) asks the client to stay away.
     *
     * @return the instant, or empty when none applies any more
     */
    public Optional<Instant> retryAfter() {
        return retryAfterUntil == null || !retryAfterUntil.isAfter(asOf) ? Optional.empty()
                : Optional.of(retryAfterUntil);
    }

    /**
     * Until when the filter holds requests to this server back: the later of {@link #retryAfter()} and the effective
     * window end of every exhausted policy.
     *
     * @return the instant, or empty when a request may go now
     */
    public Optional<Instant> blockedUntil() {
        Instant until = retryAfter().orElse(null);
        for (Policy p : policies) {
            if (p.exhausted() && (until == null || p.resetAt.isAfter(until))) {
                until = p.resetAt;
            }
        }
        return Optional.ofNullable(until);
    }

    /**
     * The policies the server has named, in the order first seen.
     *
     * @return an unmodifiable list, empty when nothing is known
     */
    public List<Policy> policies() {
        return policies;
    }

    /**
     * One policy by name.
     *
     * @param name the policy's name as the server sent it, or {@link #UNNAMED}
     * @return the policy, or empty when the server has not named it
     */
    public Optional<Policy> policy(String name) {
        Objects.requireNonNull(name, "name");
        for (Policy p : policies) {
            if (p.name.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "RateLimitState[" + authority + " as of " + asOf + ", retryAfter=" + retryAfter().orElse(null)
                + ", policies=" + policies + "]";
    }

    /** One quota policy of the server, as last reported, with the requests sent since counted against it. */
    public static final class Policy {

        private final String name;
        private final long quota;
        private final long windowSeconds;
        private final String quotaUnit;
        private final long remaining;
        private final Instant resetAt;
        private final Instant asOf;

        Policy(String name, long quota, long windowSeconds, String quotaUnit, long remaining, Instant resetAt,
                Instant asOf) {
            this.name = name;
            this.quota = quota;
            this.windowSeconds = windowSeconds;
            this.quotaUnit = quotaUnit;
            this.remaining = remaining;
            this.resetAt = resetAt;
            this.asOf = asOf;
        }

        /**
         * The policy's name.
         *
         * @return the name the server sent, or {@link RateLimitState#UNNAMED}
         */
        public String name() {
            return name;
        }

        /**
         * The quota: {@code q} of {@code RateLimit-Policy}, or {@code RateLimit-Limit} / {@code X-RateLimit-Limit}.
         *
         * @return the quota units per window, or empty when not sent
         */
        public OptionalLong quota() {
            return quota < 0 ? OptionalLong.empty() : OptionalLong.of(quota);
        }

        /**
         * The policy's window: {@code w} of {@code RateLimit-Policy}.
         *
         * @return the window, or empty when not sent
         */
        public Optional<Duration> window() {
            return windowSeconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(windowSeconds));
        }

        /**
         * The quota unit: {@code qu} of {@code RateLimit-Policy} ({@code request} when absent, as the draft says).
         *
         * @return the unit
         */
        public String quotaUnit() {
            return quotaUnit == null ? "request" : quotaUnit;
        }

        /**
         * The remaining quota units: the last reported {@code r} (or {@code RateLimit-Remaining} /
         * {@code X-RateLimit-Remaining}) less the requests this filter has sent since, until the effective window
         * ends; empty when unknown, or when the effective window has ended (the quota may then be back, in part).
         *
         * @return the remaining units, or empty
         */
        public OptionalLong remaining() {
            if (remaining < 0 || (resetAt != null && !resetAt.isAfter(asOf))) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(remaining);
        }

        /**
         * The end of the effective window: when more quota becomes available, from the last reported {@code t}
         * (or {@code RateLimit-Reset} / {@code X-RateLimit-Reset}), or a {@code Retry-After} of the same response,
         * which takes precedence.
         *
         * @return the instant, or empty when not sent or already past
         */
        public Optional<Instant> effectiveWindowEnd() {
            return resetAt == null || !resetAt.isAfter(asOf) ? Optional.empty() : Optional.of(resetAt);
        }

        /**
         * The time left in the effective window, from the snapshot's moment.
         *
         * @return the duration, or empty when {@link #effectiveWindowEnd()} is
         */
        public Optional<Duration> effectiveWindow() {
            return effectiveWindowEnd().map(end -> Duration.between(asOf, end));
        }

        /**
         * Whether the quota is used up until the effective window ends: the filter holds requests back until then.
         *
         * @return true when no units remain and the window end is known and ahead
         */
        public boolean exhausted() {
            return remaining == 0 && resetAt != null && resetAt.isAfter(asOf);
        }

        @Override
        public String toString() {
            return "Policy[" + (name.isEmpty() ? "(unnamed)" : '"' + name + '"') + ", quota=" + quota
                    + ", window=" + windowSeconds + "s, unit=" + quotaUnit() + ", remaining=" + remaining
                    + ", windowEnd=" + resetAt + "]";
        }
    }
}
