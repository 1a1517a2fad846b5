package dev.ratelimit.core;

import dev.ratelimit.internal.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * One validated rate limit: {@code limit} permits per {@code window} under an {@link Algorithm}, counted per key
 * under a {@code name}. Built from a {@link RateLimited} annotation ({@link #from(RateLimited, String, String)}), from
 * servlet init-params, or in code with {@link #custom()}. Immutable; every instance is valid.
 */
public final class RateLimitRule {

    /** The longest rule name; names end up in Redis keys and response headers. */
    public static final int MAX_NAME_LENGTH = 200;

    /**
     * The largest limit (2^31 - 1): every algorithm computes exactly up to it for every window, in Redis's Lua (whose
     * numbers are doubles) and in Java, and a cost, an {@code int}, can reach it. See docs/algorithms.md, "Ranges".
     */
    public static final long MAX_LIMIT = Integer.MAX_VALUE;

    /**
     * The largest limit of a {@link Algorithm#SLIDING_WINDOW_LOG}, which stores one entry per permit, so its memory
     * per client key grows with the limit (docs/algorithms.md, "Ranges", gives the bytes). Higher limits belong to the
     * O(1) algorithms.
     */
    public static final long MAX_LOG_LIMIT = 10_000;

    private final String name;
    private final long limit;
    private final Duration window;
    private final long windowMicros;
    private final Algorithm algorithm;
    private final KeySource keySource;
    private final String keyHeader;
    private final int cost;
    private final long counterLimit;
    private final long counterWindowMicros;
    private final Duration blockAfterDenial;
    private int hash; // cached: rules are map and cache keys on the request path

    private RateLimitRule(Builder b, String windowText) {
        this.name = RuleChecks.name(b.name);
        this.algorithm = Objects.requireNonNull(b.algorithm, "algorithm");
        this.limit = RuleChecks.limit(b.limit, algorithm);
        this.window = Windows.validate(b.window, windowText == null ? String.valueOf(b.window) : windowText);
        this.windowMicros = window.toNanos() / 1_000L;
        this.keySource = Objects.requireNonNull(b.keySource, "key");
        this.keyHeader = RuleChecks.keyHeader(keySource, b.keyHeader);
        this.cost = RuleChecks.cost(b.cost, limit);
        this.blockAfterDenial = Windows.validateBlock(b.blockAfterDenial,
                b.blockAfterDenialText == null ? String.valueOf(b.blockAfterDenial) : b.blockAfterDenialText);
        RateLimitRule counter = b.counter;
        if (counter == null || !counter.name.equals(name) || counter.algorithm != algorithm) {
            // another name or algorithm never shares a state: its state means something else
            this.counterLimit = limit;
            this.counterWindowMicros = windowMicros;
        } else {
            this.counterLimit = counter.counterLimit;
            this.counterWindowMicros = counter.counterWindowMicros;
        }
    }

    /**
     * A builder for rules made in code; {@code name}, {@code limit} and {@code window} are required.
     *
     * @return a new builder with the defaults: token bucket, key {@link KeySource#PRINCIPAL_OR_IP}, cost 1
     */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * Reads an annotation.
     *
     * @param annotation  the annotation
     * @param defaultName the name when the annotation sets none (the bindings pass the class and method)
     * @param where       what carries the annotation, for error messages (e.g. {@code com.acme.Api#search})
     * @return the validated rule
     * @throws IllegalArgumentException naming {@code where} and the offending value
     */
    public static RateLimitRule from(RateLimited annotation, String defaultName, String where) {
        try {
            return custom()
                    .name(annotation.name().isBlank() ? defaultName : annotation.name())
                    .limit(annotation.limit())
                    .window(annotation.window())
                    .algorithm(annotation.algorithm())
                    .key(annotation.key())
                    .keyHeader(annotation.keyHeader())
                    .cost(annotation.cost())
                    .blockAfterDenial(annotation.blockAfterDenial())
                    .build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("Invalid @RateLimited on " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * This rule with another cost per request (e.g. a cost known only at request time).
     *
     * @param newCost permits one request takes; from 1 to the limit
     * @return this rule when the cost is unchanged, else a copy with {@code newCost}
     * @throws IllegalArgumentException when {@code newCost} is less than 1 or above the limit
     */
    public RateLimitRule withCost(int newCost) {
        if (newCost == cost) {
            return this;
        }
        return toBuilder().cost(newCost).build();
    }

    /**
     * A builder initialised with this rule's values, its counter included ({@link Builder#sameCounterAs}).
     *
     * @return a new builder; changing it does not change this rule
     */
    public Builder toBuilder() {
        Builder b = custom().name(name).limit(limit).window(window).algorithm(algorithm).key(keySource)
                .keyHeader(keyHeader).cost(cost).blockAfterDenial(blockAfterDenial);
        b.counter = hasOwnCounter() ? null : this;
        return b;
    }

    /**
     * The counter's name: rules with the same name, algorithm and counter ({@link #counterLimit()},
     * {@link #counterWindowMicros()}) share state per key (a rule with the same name but another algorithm, limit or window
     * counts separately, unless it was built to count on the other's counter, see {@link Builder#sameCounterAs}).
     *
     * @return visible ASCII without {@code "} or {@code \}, at most {@value RateLimitRule#MAX_NAME_LENGTH} characters
     */
    public String name() {
        return name;
    }

    /**
     * Permits per window.
     *
     * @return the limit; from 1 to {@value #MAX_LIMIT} ({@value #MAX_LOG_LIMIT} for the sliding log)
     */
    public long limit() {
        return limit;
    }

    /**
     * The window length.
     *
     * @return between 1 ms and 366 days, a whole number of milliseconds
     */
    public Duration window() {
        return window;
    }

    /**
     * The window length in microseconds, the unit the algorithms work in.
     *
     * @return {@link #window()} in microseconds
     */
    public long windowMicros() {
        return windowMicros;
    }

    /**
     * The algorithm that decides under this rule.
     *
     * @return the algorithm, never null
     */
    public Algorithm algorithm() {
        return algorithm;
    }

    /**
     * Where the bindings take the key from.
     *
     * @return the key source, never null
     */
    public KeySource keySource() {
        return keySource;
    }

    /**
     * The header holding the key for {@link KeySource#HEADER}.
     *
     * @return the header name, trimmed; empty for the other key sources
     */
    public String keyHeader() {
        return keyHeader;
    }

    /**
     * Permits one request takes.
     *
     * @return the cost; at least 1
     */
    public int cost() {
        return cost;
    }

    /**
     * The limit that, with the name, algorithm and {@link #counterWindowMicros()}, identifies this rule's counter: its own
     * limit, or, for a rule built with {@link Builder#sameCounterAs}, that of the rule it changes.
     *
     * @return the counter's limit
     */
    public long counterLimit() {
        return counterLimit;
    }

    /**
     * The window that, with the name, algorithm and {@link #counterLimit()}, identifies this rule's counter: its own
     * window, or, for a rule built with {@link Builder#sameCounterAs}, that of the rule it changes.
     *
     * @return the counter's window in microseconds
     */
    public long counterWindowMicros() {
        return counterWindowMicros;
    }

    /**
     * How long a client is blocked on this rule's counter after a request this rule denies (a penalty, like
     * rate-limiter-flexible's {@code blockDuration}): the denial also blocks the client, as
     * {@link RateLimiter#block} does, so every request is refused until the block ends, and the denial's retry-after
     * is this duration. A denial by a block in force does not block again. Such a denial writes to the store, unlike
     * other denials. Not part of the counter's identity.
     *
     * @return {@link Duration#ZERO} (the default: no penalty) or between 1 ms and 366 days
     */
    public Duration blockAfterDenial() {
        return blockAfterDenial;
    }

    /** Whether the counter is this rule's own (not one of another limit or window, see {@link Builder#sameCounterAs}). */
    private boolean hasOwnCounter() {
        return counterLimit == limit && counterWindowMicros == windowMicros;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RateLimitRule)) {
            return false;
        }
        RateLimitRule r = (RateLimitRule) o;
        return limit == r.limit && windowMicros == r.windowMicros && cost == r.cost && name.equals(r.name)
                && algorithm == r.algorithm && keySource == r.keySource && keyHeader.equals(r.keyHeader)
                && counterLimit == r.counterLimit && counterWindowMicros == r.counterWindowMicros
                && blockAfterDenial.equals(r.blockAfterDenial);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Objects.hash(name, limit, windowMicros, algorithm, keySource, keyHeader, cost, counterLimit,
                    counterWindowMicros, blockAfterDenial);
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return name + "[" + limit + " per " + window + ", " + algorithm + ", key " + keySource
                + (keyHeader.isEmpty() ? "" : " " + keyHeader) + (cost == 1 ? "" : ", cost " + cost)
                + (blockAfterDenial.isZero() ? "" : ", block after denial " + Durations.format(blockAfterDenial))
                + (hasOwnCounter() ? "" : ", counter of " + counterLimit + " per "
                        + Duration.ofNanos(counterWindowMicros * 1_000L)) + "]";
    }


    /** Builds a validated {@link RateLimitRule}; {@link #build()} throws naming the first invalid value. */
    public static final class Builder {
        private String name;
        private long limit;
        private Duration window;
        private String windowText;
        private Algorithm algorithm = Algorithm.TOKEN_BUCKET;
        private KeySource keySource = KeySource.PRINCIPAL_OR_IP;
        private String keyHeader = "";
        private int cost = 1;
        private RateLimitRule counter;
        private Duration blockAfterDenial = Duration.ZERO;
        private String blockAfterDenialText;

        private Builder() {
        }

        /**
         * Makes the rule count on the counter of {@code changed}, a rule with the same name and algorithm whose limit or
         * window it changes (an operator's override, at deployment or at run time): each client's state is kept and
         * read under the new limit and window, so a client keeps what it had used (docs/plans.md, "Changing limits at
         * run time"). Without it a rule with another limit or window counts on a counter of its own.
         *
         * @param changed the rule this one changes (its own counter, or the one it counts on in turn); null, or a
         *                rule of another name or algorithm when the rule is built: the rule's own counter
         * @return this builder
         */
        public Builder sameCounterAs(RateLimitRule changed) {
            this.counter = changed;
            return this;
        }

        /**
         * The counter's name (required).
         *
         * @param name visible ASCII other than {@code "} and {@code \}, at most
         *             {@value RateLimitRule#MAX_NAME_LENGTH} characters
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Permits per window (required).
         *
         * @param limit from 1 to {@value RateLimitRule#MAX_LIMIT}; at most {@value RateLimitRule#MAX_LOG_LIMIT}
         *              with {@link Algorithm#SLIDING_WINDOW_LOG}
         * @return this builder
         */
        public Builder limit(long limit) {
            this.limit = limit;
            return this;
        }

        /**
         * The window as text (this or {@link #window(Duration)} is required).
         *
         * @param window {@code 500ms}, {@code 10s}, {@code 1m}, {@code 1h}, {@code 1d} or ISO-8601 such as
         *               {@code PT1M}; between 1 ms and 366 days
         * @return this builder
         * @throws IllegalArgumentException when the text is empty or not a duration
         */
        public Builder window(String window) {
            this.window = Windows.parse(window);
            this.windowText = window;
            return this;
        }

        /**
         * The window (this or {@link #window(String)} is required).
         *
         * @param window 1 ms to 366 days, a whole number of milliseconds
         * @return this builder
         */
        public Builder window(Duration window) {
            this.window = window;
            this.windowText = null;
            return this;
        }

        /**
         * The algorithm; {@link Algorithm#TOKEN_BUCKET} unless set.
         *
         * @param algorithm the algorithm, not null
         * @return this builder
         */
        public Builder algorithm(Algorithm algorithm) {
            this.algorithm = algorithm;
            return this;
        }

        /**
         * The key source; {@link KeySource#PRINCIPAL_OR_IP} unless set.
         *
         * @param keySource where the bindings take the key from, not null
         * @return this builder
         */
        public Builder key(KeySource keySource) {
            this.keySource = keySource;
            return this;
        }

        /**
         * The header holding the key with {@link KeySource#HEADER}; required with it, not allowed with the others.
         *
         * @param keyHeader a valid HTTP header name; null or blank means none
         * @return this builder
         */
        public Builder keyHeader(String keyHeader) {
            this.keyHeader = keyHeader;
            return this;
        }

        /**
         * Permits per request; 1 unless set.
         *
         * @param cost from 1 to the limit (checked by {@link #build()})
         * @return this builder
         */
        public Builder cost(int cost) {
            this.cost = cost;
            return this;
        }

        /**
         * Blocks a client on this rule's counter for {@code duration} after a request the rule denies (see
         * {@link RateLimitRule#blockAfterDenial()}); none unless set.
         *
         * @param duration {@link Duration#ZERO} or null for none, else between 1 ms and 366 days, a whole number of
         *                 milliseconds (checked by {@link #build()})
         * @return this builder
         */
        public Builder blockAfterDenial(Duration duration) {
            this.blockAfterDenial = duration == null ? Duration.ZERO : duration;
            this.blockAfterDenialText = null;
            return this;
        }

        /**
         * The block after a denial as text, as {@link RateLimited#blockAfterDenial()} gives it.
         *
         * @param duration empty or {@code 0} for none, else as a window: {@code 30s}, {@code 1h}, ISO-8601…
         * @return this builder
         * @throws IllegalArgumentException when the text is not a duration
         */
        public Builder blockAfterDenial(String duration) {
            this.blockAfterDenial = Windows.parseBlock(duration);
            this.blockAfterDenialText = duration;
            return this;
        }

        /**
         * Validates the values and builds the rule.
         *
         * @return the rule
         * @throws IllegalArgumentException naming the first invalid value
         * @throws NullPointerException     when the algorithm or key source was set to null
         */
        public RateLimitRule build() {
            return new RateLimitRule(this, windowText);
        }
    }
}
