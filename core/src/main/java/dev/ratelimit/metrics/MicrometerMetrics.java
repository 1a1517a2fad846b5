package dev.ratelimit.metrics;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.Store;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports to a Micrometer {@link MeterRegistry}:
 *
 * <ul>
 *   <li>{@code ratelimit.decisions} (counter): tags {@code limit} (the rule's name), {@code outcome}
 *       ({@code allowed}, {@code denied}, {@code shadow_denied}, {@code exempt}: an exempt client's request,
 *       counted under the endpoint's first limit) and {@code store} ({@code redis}, {@code memory},
 *       {@code fallback}: decided by the in-memory fallback while Redis fails, {@code none}: decided by the
 *       fail-open/fail-closed policy, or not decided at all for {@code exempt});</li>
 *   <li>{@code ratelimit.redis.calls} (timer): tag {@code outcome} ({@code success}, {@code failure});</li>
 *   <li>{@code ratelimit.denial.cache.hits} (counter): requests refused locally without a Redis call;</li>
 *   <li>the circuit breaker's own meters ({@code resilience4j.circuitbreaker.*}, tag {@code name}) when
 *       {@code io.github.resilience4j:resilience4j-micrometer} is on the classpath.</li>
 * </ul>
 *
 * <p>Tags never carry a client key. Limit names come from annotations and init-params, so they are few; as a guard
 * against rules built with per-client names, names beyond the first {@value #MAX_LIMIT_NAMES} are reported as
 * {@code limit=_other} (with one warning). Meters are created once and cached: reporting a decision allocates
 * nothing.
 */
public final class MicrometerMetrics implements RateLimitMetrics {

    /** How many distinct limit names get their own tag value. */
    public static final int MAX_LIMIT_NAMES = 1000;
    /** The tag value used for limit names beyond {@link #MAX_LIMIT_NAMES}. */
    public static final String OTHER_LIMITS = "_other";

    private static final Logger LOG = LoggerFactory.getLogger(MicrometerMetrics.class);
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final Store[] STORES = Store.values();

    private final MeterRegistry registry;
    private final ConcurrentMap<String, LimitMeters> decisions = new ConcurrentHashMap<>();
    private final AtomicBoolean warnedTooManyNames = new AtomicBoolean();
    private final Timer redisSuccess;
    private final Timer redisFailure;
    private final Counter denialCacheHits;
    private final ConcurrentMap<CircuitBreaker, Object> boundBreakers = new ConcurrentHashMap<>();

    private MicrometerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.redisSuccess = redisTimer("success");
        this.redisFailure = redisTimer("failure");
        this.denialCacheHits = Counter.builder("ratelimit.denial.cache.hits")
                .description("Requests refused from the local denial cache, without a Redis call")
                .register(registry);
    }

    /**
     * Metrics reported to {@code registry}.
     *
     * @param registry the registry, e.g. an application's {@code PrometheusMeterRegistry}
     * @return the metrics
     */
    public static MicrometerMetrics of(MeterRegistry registry) {
        return new MicrometerMetrics(registry);
    }

    /** Metrics reported to Micrometer's global registry. */
    static MicrometerMetrics ofGlobalRegistry() {
        return new MicrometerMetrics(Metrics.globalRegistry);
    }

    /** {@return the registry reported to} */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void decision(Decision decision, Outcome outcome) {
        String limit = decision.reported().rule().name();
        LimitMeters meters = decisions.get(limit);
        if (meters == null) {
            meters = metersFor(limit);
        }
        meters.counter(outcome, decision.store()).increment();
    }

    /** Counts under {@code outcome=exempt} and {@code store=none}: no store was asked. */
    @Override
    public void exempt(RateLimitRule limit) {
        String name = limit.name();
        LimitMeters meters = decisions.get(name);
        if (meters == null) {
            meters = metersFor(name);
        }
        meters.counter(Outcome.EXEMPT, Store.NONE).increment();
    }

    /** Counts under {@code ratelimit.operations}, tagged with the limit's name and the operation. */
    @Override
    public void operation(RateLimitRule limit, Operation operation) {
        String name = decisions.size() >= MAX_LIMIT_NAMES && !decisions.containsKey(limit.name()) ? OTHER_LIMITS
                : limit.name();
        Counter.builder("ratelimit.operations")
                .description("Operations on clients' counters: resets, blocks and refunds, by limit")
                .tag("limit", name)
                .tag("operation", operation.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }

    private LimitMeters metersFor(String limit) {
        if (decisions.size() >= MAX_LIMIT_NAMES && !decisions.containsKey(limit)) {
            if (warnedTooManyNames.compareAndSet(false, true)) {
                LOG.warn("More than {} rate-limit names; further names are reported as limit={} (are names built "
                        + "from client input?)", MAX_LIMIT_NAMES, OTHER_LIMITS);
            }
            return decisions.computeIfAbsent(OTHER_LIMITS, LimitMeters::new);
        }
        return decisions.computeIfAbsent(limit, LimitMeters::new);
    }

    /** The decision counters of one limit name, registered on first use. */
    private final class LimitMeters {
        private final String limit;
        private final AtomicReferenceArray<Counter> counters =
                new AtomicReferenceArray<>(OUTCOMES.length * STORES.length);

        LimitMeters(String limit) {
            this.limit = limit;
        }

        Counter counter(Outcome outcome, Store store) {
            int index = outcome.ordinal() * STORES.length + store.ordinal();
            Counter counter = counters.get(index);
            if (counter == null) {
                // the registry hands out one counter per id, so a lost race stores the same counter again
                counter = Counter.builder("ratelimit.decisions")
                        .description("Rate-limit decisions by limit, outcome and deciding store")
                        .tag("limit", limit)
                        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .tag("store", store.name().toLowerCase(Locale.ROOT))
                        .register(registry);
                counters.set(index, counter);
            }
            return counter;
        }
    }

    @Override
    public void redisCall(long nanos, boolean succeeded) {
        (succeeded ? redisSuccess : redisFailure).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void denialCacheHit() {
        denialCacheHits.increment();
    }

    @Override
    public void bindCircuitBreaker(CircuitBreaker breaker) {
        if (BreakerMeters.AVAILABLE) {
            boundBreakers.computeIfAbsent(breaker, b -> BreakerMeters.publish(registry, b));
        }
    }

    @Override
    public void unbindCircuitBreaker(CircuitBreaker breaker) {
        Object publisher = boundBreakers.remove(breaker);
        if (publisher != null) {
            BreakerMeters.remove(publisher, breaker);
        }
    }

    private Timer redisTimer(String outcome) {
        return Timer.builder("ratelimit.redis.calls")
                .description("Calls to Redis through the circuit breaker")
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public String toString() {
        return "Micrometer (" + registry.getClass().getSimpleName() + ")";
    }

    /** Resilience4j's own breaker meters; loaded only when resilience4j-micrometer is on the classpath. */
    private static final class BreakerMeters {
        static final boolean AVAILABLE =
                NoMetrics.isPresent("io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher");

        static Object publish(MeterRegistry registry, CircuitBreaker breaker) {
            var publisher = new io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher(registry);
            publisher.publishMetrics(breaker);
            return publisher;
        }

        static void remove(Object publisher, CircuitBreaker breaker) {
            ((io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher) publisher)
                    .removeMetrics(breaker);
        }
    }
}
