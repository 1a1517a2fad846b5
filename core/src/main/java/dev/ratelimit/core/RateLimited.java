package dev.ratelimit.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Puts a rate limit on a resource method, or on every method of a class that declares none of its own.
 * Repeat it to apply several limits at once (e.g. 10 per second and 1000 per hour): a request must pass all of
 * them, and a request denied by one consumes nothing from the others.
 *
 * <pre>{@code
 * @RateLimited(limit = 100, window = "1m")
 * @RateLimited(limit = 1000, window = "1h", algorithm = Algorithm.SLIDING_WINDOW_LOG,
 *              key = KeySource.HEADER, keyHeader = "X-Api-Key", name = "search", cost = 2)
 * }</pre>
 *
 * <p>Invalid values fail the application at deployment, with a message naming the method and the value.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@Repeatable(RateLimited.List.class)
public @interface RateLimited {

    /**
     * Permits per window.
     *
     * @return the limit; greater than zero
     */
    long limit();

    /**
     * The window the limit applies to.
     *
     * @return {@code 500ms}, {@code 10s}, {@code 1m}, {@code 1h}, {@code 1d}, or ISO-8601 such as {@code PT1M};
     *         between 1 ms and 366 days
     */
    String window();

    /**
     * The algorithm.
     *
     * @return the algorithm; a token bucket by default (O(1) memory, bursts up to the limit)
     */
    Algorithm algorithm() default Algorithm.TOKEN_BUCKET;

    /**
     * What the request is counted against.
     *
     * @return the key source; the principal, else the client IP, by default
     */
    KeySource key() default KeySource.PRINCIPAL_OR_IP;

    /**
     * The header holding the key.
     *
     * @return a header name; required with {@link KeySource#HEADER}, not allowed otherwise
     */
    String keyHeader() default "";

    /**
     * The counter's name: limits with the same name (and algorithm) share one counter across methods.
     *
     * @return the name; empty (the default) means one derived from the resource class and method
     */
    String name() default "";

    /**
     * Permits each request takes.
     *
     * @return the cost; at least one
     */
    int cost() default 1;

    /**
     * Which responses count: only requests answered with one of these statuses keep their permits, e.g.
     * {@code "4xx"} for a login that should count failed attempts only, or {@code "401, 403"}, {@code "400-499"}.
     * Every request is still checked before the method runs (refused once the limit is used up) and takes its permits
     * then; one whose response does not match gives them back when it is answered (so a concurrent burst never runs
     * more than the limit at once). See docs/operating.md, "Counting only some outcomes".
     *
     * @return statuses ({@code 401}), ranges ({@code 400-499}) and classes ({@code 4xx}), comma-separated; empty
     *         (the default): every request counts
     */
    String countWhen() default "";

    /**
     * A penalty: how long a client is blocked on this limit after a request it denies, e.g. {@code "1h"} (see
     * {@link RateLimitRule#blockAfterDenial()}).
     *
     * @return empty (the default) or {@code 0} for none, else as {@link #window()}: between 1 ms and 366 days
     */
    String blockAfterDenial() default "";

    /** The container of repeated {@link RateLimited} annotations. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @interface List {
        /**
         * The repeated limits.
         *
         * @return the limits, in declaration order
         */
        RateLimited[] value();
    }
}
