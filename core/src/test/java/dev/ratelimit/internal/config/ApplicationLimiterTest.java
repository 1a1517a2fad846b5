package dev.ratelimit.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The one limiter of a web application: created by the first binding, shared by the others, published in the
 * attributes, closed once by the last; an application's own limiter is used and never closed.
 */
class ApplicationLimiterTest {

    private final ApplicationLimiter.Attributes app = ApplicationLimiter.Attributes.privateTo("the test application");
    private final RateLimitRule rule = RateLimitRule.custom().name("r").limit(1).window("1h").build();

    private static RateLimitSettings settings(Map<String, String> params) {
        return RateLimitSettings.load(null, null, params::get);
    }

    @Test
    void theFirstBindingCreatesItTheOthersShareItAndTheLastClosesIt() {
        RateLimitSettings settings = settings(Map.of());
        ApplicationLimiter filter = ApplicationLimiter.acquire(app, settings, RateLimitMetrics.none(), "a filter");
        ApplicationLimiter jaxrs = ApplicationLimiter.acquire(app, settings, RateLimitMetrics.none(), "JAX-RS");
        assertThat(jaxrs.limiter()).as("one limiter for the application").isSameAs(filter.limiter());
        assertThat(app.get().apply(ApplicationLimiter.LIMITER_ATTRIBUTE)).as("published").isSameAs(filter.limiter());
        assertThat(filter.users()).isEqualTo(2);
        assertThat(filter.applicationsOwn()).isFalse();
        ApplicationLimiter.Shared shared =
                (ApplicationLimiter.Shared) app.get().apply(ApplicationLimiter.OWNER_ATTRIBUTE);

        filter.release();
        filter.release(); // idempotent per user: a second release of the same binding does not close it early
        assertThat(shared.users()).isEqualTo(1);
        assertThat(jaxrs.limiter().acquire("k", rule).allowed()).as("still open").isTrue();

        jaxrs.release();
        assertThat(shared.users()).isZero();
        assertThat(app.get().apply(ApplicationLimiter.LIMITER_ATTRIBUTE)).as("unpublished").isNull();
        assertThat(app.get().apply(ApplicationLimiter.OWNER_ATTRIBUTE)).isNull();

        ApplicationLimiter again = ApplicationLimiter.acquire(app, settings, RateLimitMetrics.none(), "a filter");
        assertThat(again.limiter()).as("a redeployment gets a new limiter").isNotSameAs(filter.limiter());
        again.release();
    }

    @Test
    void anApplicationsOwnLimiterIsUsedByEveryBindingAndNeverClosed() {
        AtomicInteger closed = new AtomicInteger();
        InMemoryRateLimiter memory = InMemoryRateLimiter.custom().build();
        RateLimiter own = new RateLimiter() {
            @Override
            public dev.ratelimit.core.Decision acquire(String key, java.util.List<RateLimitRule> rules) {
                return memory.acquire(key, rules);
            }

            @Override
            public dev.ratelimit.core.Decision acquire(java.util.List<dev.ratelimit.core.KeyedRule> rules) {
                return memory.acquire(rules);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        app.set().accept(ApplicationLimiter.LIMITER_ATTRIBUTE, own);
        ApplicationLimiter a = ApplicationLimiter.acquire(app, settings(Map.of()), RateLimitMetrics.none(), "a");
        ApplicationLimiter b = ApplicationLimiter.acquire(app, settings(Map.of()), RateLimitMetrics.none(), "b");
        assertThat(a.limiter()).isSameAs(own);
        assertThat(b.limiter()).isSameAs(own);
        assertThat(a.applicationsOwn()).isTrue();
        a.release();
        b.release();
        assertThat(closed).as("the application closes its own").hasValue(0);
        assertThat(app.get().apply(ApplicationLimiter.LIMITER_ATTRIBUTE)).isSameAs(own);
    }

    @Test
    void aLaterBindingWithOtherLimiterSettingsIsWarnedAndSharesTheExistingLimiter() {
        ApplicationLimiter first = ApplicationLimiter.acquire(app,
                settings(Map.of("ratelimit.memory.maximum-keys", "10")), RateLimitMetrics.none(),
                "rate-limit filter 'api'");
        String log = stderrOf(() -> ApplicationLimiter.acquire(app,
                settings(Map.of("ratelimit.memory.maximum-keys", "20")), RateLimitMetrics.none(),
                "the JAX-RS application"));
        assertThat(log).contains("the JAX-RS application of the test application uses the limiter rate-limit filter "
                + "'api' created; its own limiter settings differ and are ignored").contains("memory.maximum-keys=20");
        assertThat(first.users()).isEqualTo(2);
    }

    @Test
    void anAttributeHoldingSomethingElseIsAClearError() {
        app.set().accept(ApplicationLimiter.LIMITER_ATTRIBUTE, "not a limiter");
        assertThatThrownBy(() -> ApplicationLimiter.acquire(app, settings(Map.of()), RateLimitMetrics.none(), "x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(ApplicationLimiter.LIMITER_ATTRIBUTE)
                .hasMessageContaining("java.lang.String").hasMessageContaining("loaded twice");
    }

    /** What the test logger (slf4j-simple, to System.err) writes while {@code action} runs. */
    private static String stderrOf(Supplier<?> action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.get();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
