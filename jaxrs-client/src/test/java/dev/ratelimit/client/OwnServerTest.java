package dev.ratelimit.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimited;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.jaxrs.RateLimitFeature;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.Property;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.test.DeploymentContext;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.ServletDeploymentContext;
import org.glassfish.jersey.test.TestProperties;
import org.glassfish.jersey.test.grizzly.GrizzlyWebTestContainerFactory;
import org.glassfish.jersey.test.spi.TestContainerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter against our own server: ratelimit-jaxrs in a Grizzly servlet container, its limiter on the same
 * controlled time as the filter, so every wait is instant and exact.
 */
class OwnServerTest extends JerseyTest {

    private final FakeTime time = new FakeTime();
    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.custom().timeSource(time.micros).build();
    private final AtomicInteger requestsSeen = new AtomicInteger();
    private final List<Client> clients = new ArrayList<>();

    @Override
    protected Application configure() {
        return application();
    }

    private ResourceConfig application() {
        return new ResourceConfig(AlgorithmResources.class)
                .register(RateLimitFeature.class)
                .register(new Counter())
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(limiter).to(RateLimiter.class);
                    }
                });
    }

    @Override
    protected TestContainerFactory getTestContainerFactory() {
        return new GrizzlyWebTestContainerFactory();
    }

    @Override
    protected DeploymentContext configureDeployment() {
        forceSet(TestProperties.CONTAINER_PORT, "0");
        return ServletDeploymentContext.forServlet(new ServletContainer(application())).build();
    }

    /**
     * Counts every request the server receives. An inner class: JerseyTest builds the application in its constructor,
     * before this test's fields are set, so the counter is read when a request arrives.
     */
    @PreMatching
    public final class Counter implements ContainerRequestFilter {
        @Override
        public void filter(ContainerRequestContext request) {
            requestsSeen.incrementAndGet();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Client::close);
    }

    private Client client(RateLimitClientFilter filter) {
        Client c = ClientBuilder.newClient();
        if (filter != null) {
            c.register(filter);
        }
        clients.add(c);
        return c;
    }

    private RateLimitClientFilter.Builder filter() {
        return RateLimitClientFilter.custom().clock(time).sleeper(time).maxWait(Duration.ofMinutes(1));
    }

    private Response get(Client c, String path, String key) {
        return c.target(getBaseUri()).path(path).request().header(AlgorithmResources.CLIENT, key).get();
    }

    // ------------------------------------------------------------------------------------------ randomized guarantee

    static Stream<Arguments> algorithmsAndShapes() {
        List<Arguments> out = new ArrayList<>();
        for (Algorithm a : Algorithm.values()) {
            out.add(Arguments.of(a, "5-10s"));
            out.add(Arguments.of(a, "3-2s"));
        }
        return out.stream();
    }

    /**
     * A client that obeys the filter never gets a 429 from our server, whatever the algorithm, in randomized runs.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("algorithmsAndShapes")
    void anObedientClientIsNeverRefused(Algorithm algorithm, String shape) {
        obedientClient(algorithm, shape, false);
    }

    /**
     * ... and never waits more than one second longer than necessary: "necessary" is the server's own answer, from a
     * fresh limiter that replays the requests the server admitted and is then asked at the moment the client wished
     * to send (a denial's retry-after, or zero). This holds because the server's {@code t} is the effective window
     * (on {@code r=0}, the time until the next request is allowed), not the time until the whole limit is back.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("algorithmsAndShapes")
    void anObedientClientWaitsNoLongerThanNecessary(Algorithm algorithm, String shape) {
        obedientClient(algorithm, shape, true);
    }

    private void obedientClient(Algorithm algorithm, String shape, boolean checkWaits) {
        String path = "alg/" + algorithm + "/" + shape;
        RateLimitRule rule = ruleOf(algorithm, shape);
        long windowMicros = rule.windowMicros();
        Property<List<Long>> property = new Property<>("obedient client, " + algorithm + " " + shape,
                19L + algorithm.ordinal(), 12,
                r -> gaps(r, windowMicros, rule.limit()),
                gaps -> Property.shrinkList(gaps, g -> g == 0 ? List.of() : List.of(0L, g / 2)),
                gaps -> "gaps between wished sends (µs): " + gaps);
        property.check(gaps -> {
            List<Long> admitted = new ArrayList<>();
            Client c = client(filter().build());
            String key = UUID.randomUUID().toString();
            for (int i = 0; i < gaps.size(); i++) {
                time.micros.advanceMicros(gaps.get(i));
                long wished = time.micros.nowMicros();
                Duration necessary = necessaryWait(rule, admitted, wished);
                Duration before = time.slept();
                try (Response response = get(c, path, key)) {
                    int status = response.getStatus();
                    Duration waited = time.slept().minus(before);
                    assertThat(status).as("request %d of %d: the obedient client got a %d (RateLimit: %s, "
                            + "Retry-After: %s)", i + 1, gaps.size(), status, response.getHeaderString("RateLimit"),
                            response.getHeaderString("Retry-After")).isEqualTo(200);
                    if (checkWaits) {
                        assertThat(waited).as("request %d of %d waited %s where %s was necessary", i + 1,
                                gaps.size(), waited, necessary)
                                .isLessThanOrEqualTo(necessary.plusSeconds(1));
                    }
                }
                admitted.add(time.micros.nowMicros());
            }
        });
    }


    /** Wished sends: bursts (0), gaps near the mean permit interval, and gaps of up to one and a half windows. */
    private static List<Long> gaps(Random r, long windowMicros, long limit) {
        int n = 10 + r.nextInt(30);
        List<Long> gaps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(4);
            gaps.add(kind == 0 ? 0L
                    : kind == 1 ? (long) (r.nextDouble() * 2 * windowMicros / limit)
                    : kind == 2 ? (long) (r.nextDouble() * windowMicros / limit / 4)
                    : (long) (r.nextDouble() * 1.5 * windowMicros));
        }
        return gaps;
    }

    /** The rule the server builds from the resource method's annotation. */
    private static RateLimitRule ruleOf(Algorithm algorithm, String shape) {
        for (Method m : AlgorithmResources.class.getMethods()) {
            jakarta.ws.rs.Path p = m.getAnnotation(jakarta.ws.rs.Path.class);
            if (p != null && p.value().equals(algorithm + "/" + shape) && m.getAnnotation(jakarta.ws.rs.GET.class) != null) {
                return RateLimitRule.from(m.getAnnotation(RateLimited.class), "unused", m.toString());
            }
        }
        throw new AssertionError("no resource for " + algorithm + " " + shape);
    }

    /** How long a request wished at {@code at} must wait, by the server's own algorithm, after {@code admitted}. */
    private static Duration necessaryWait(RateLimitRule rule, List<Long> admitted, long at) {
        ManualClock replayTime = new ManualClock(admitted.isEmpty() ? at : admitted.get(0));
        try (InMemoryRateLimiter replay = InMemoryRateLimiter.custom().timeSource(replayTime).build()) {
            for (long t : admitted) {
                replayTime.set(t);
                assertThat(replay.acquire("k", rule).allowed()).as("replay of an admitted request").isTrue();
            }
            replayTime.set(at);
            Decision d = replay.acquire("k", rule);
            return d.allowed() ? Duration.ZERO : d.retryAfter();
        }
    }

    // ------------------------------------------------------------------------------------------ behaviour

    @Test
    void theStateTellsWhatTheServerSaid() {
        RateLimitClientFilter filter = filter().build();
        Client c = client(filter);
        assertThat(filter.state(getBaseUri()).policies()).isEmpty();
        get(c, "alg/FIXED_WINDOW/5-10s", "a").close();
        time.advance(Duration.ofSeconds(3));
        RateLimitState state = filter.state(getBaseUri().resolve("/any/other/path"));
        assertThat(state.authority()).isEqualTo("http://localhost:" + getBaseUri().getPort());
        RateLimitState.Policy p = state.policy("fw-5-10s").orElseThrow();
        assertThat(p.quota()).hasValue(5);
        assertThat(p.window()).contains(Duration.ofSeconds(10));
        assertThat(p.quotaUnit()).isEqualTo("request");
        assertThat(p.remaining()).hasValue(4);
        assertThat(p.exhausted()).isFalse();
        assertThat(p.effectiveWindow()).contains(Duration.ofSeconds(7)); // a fixed window: t = 10 s, 3 s ago
        assertThat(state.blockedUntil()).isEmpty();
    }

    @Test
    void everyPolicyOfTheServerIsKnown() {
        RateLimitClientFilter filter = filter().build();
        get(client(filter), "alg/two", "two").close();
        RateLimitState state = filter.state(getBaseUri());
        assertThat(state.policies()).extracting(RateLimitState.Policy::name).containsExactly("per-10s", "per-hour");
        RateLimitState.Policy hour = state.policy("per-hour").orElseThrow();
        assertThat(hour.quota()).hasValue(100);
        assertThat(hour.window()).contains(Duration.ofHours(1));
        assertThat(hour.remaining()).as("RateLimit reports the most restrictive policy only").isEmpty();
        assertThat(state.policy("per-10s").orElseThrow().remaining()).hasValue(4);
    }

    @Test
    void waitsForTheEffectiveWindowAndThenSucceeds() {
        Client c = client(filter().build());
        for (int i = 0; i < 5; i++) {
            assertThat(get(c, "alg/FIXED_WINDOW/5-10s", "w").getStatus()).isEqualTo(200);
        }
        assertThat(time.sleeps()).isEmpty();
        assertThat(get(c, "alg/FIXED_WINDOW/5-10s", "w").getStatus()).isEqualTo(200);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(10));
        assertThat(requestsSeen.get()).isEqualTo(6);
    }

    @Test
    void failingFastSendsNothing() {
        RateLimitClientFilter filter = filter().failFast(true).build();
        Client c = client(filter);
        for (int i = 0; i < 5; i++) {
            get(c, "alg/FIXED_WINDOW/5-10s", "f").close();
        }
        time.advance(Duration.ofSeconds(4));
        assertThatThrownBy(() -> get(c, "alg/FIXED_WINDOW/5-10s", "f"))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(6));
                    assertThat(e.policy()).contains("fw-5-10s");
                    assertThat(e.target().getPath()).endsWith("/alg/FIXED_WINDOW/5-10s");
                });
        assertThat(requestsSeen.get()).isEqualTo(5);
        assertThat(time.sleeps()).isEmpty();
        assertThat(filter.state(getBaseUri()).blockedUntil()).isPresent();
    }

    @Test
    void aWaitLongerThanTheMaximumFailsAtOnce() {
        Client c = client(filter().maxWait(Duration.ofSeconds(5)).build());
        for (int i = 0; i < 5; i++) {
            get(c, "alg/FIXED_WINDOW/5-10s", "m").close();
        }
        assertThatThrownBy(() -> get(c, "alg/FIXED_WINDOW/5-10s", "m"))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(10)));
        assertThat(requestsSeen.get()).isEqualTo(5);
        assertThat(time.sleeps()).isEmpty();
        time.advance(Duration.ofSeconds(6));
        assertThat(get(c, "alg/FIXED_WINDOW/5-10s", "m").getStatus()).isEqualTo(200); // 4 s now fits
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(4));
    }

    @Test
    void anUnfilteredClientGets429AndTheFilterRetriesIdempotentRequests() {
        Client plain = client(null);
        Client retrying = client(filter().retries(2).build());
        for (int i = 0; i < 5; i++) {
            get(plain, "alg/TOKEN_BUCKET/5-10s", "r").close();
        }
        assertThat(get(plain, "alg/TOKEN_BUCKET/5-10s", "r").getStatus()).isEqualTo(429);
        // the retrying client knows nothing yet: its GET is refused, then re-sent after Retry-After (2 s)
        Response response = get(retrying, "alg/TOKEN_BUCKET/5-10s", "r");
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.readEntity(String.class)).isEqualTo("ok");
        assertThat(response.getHeaderString("RateLimit")).startsWith("\"tb-5-10s\";r=0");
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2));
        assertThat(requestsSeen.get()).isEqualTo(8);
    }

    @Test
    void threadsSharingOneClientSendNoMoreThanWhatRemains() throws Exception {
        RateLimitClientFilter filter = filter().failFast(true).build();
        Client c = client(filter);
        assertThat(get(c, "alg/FIXED_WINDOW/5-10s", "t").getStatus()).isEqualTo(200); // r=4 now
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        List<java.util.concurrent.Future<String>> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                outcomes.add(pool.submit(() -> {
                    start.await();
                    try (Response r = get(c, "alg/FIXED_WINDOW/5-10s", "t")) {
                        return Integer.toString(r.getStatus());
                    } catch (RateLimitedException e) {
                        return "not sent";
                    }
                }));
            }
            List<String> results = new ArrayList<>();
            for (java.util.concurrent.Future<String> f : outcomes) {
                results.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            // never a 429; requests in flight count against what remains until their answers arrive, so a thread may
            // be held back although the server would have taken it (conservative), never the other way round
            assertThat(results).as("outcomes").containsOnly("200", "not sent");
            assertThat(results).as("outcomes %s", results).filteredOn("200"::equals).hasSizeBetween(1, 4);
            assertThat(requestsSeen.get()).isLessThanOrEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void postIsNeverRetried() {
        Client plain = client(null);
        Client retrying = client(filter().retries(3).build());
        for (int i = 0; i < 5; i++) {
            get(plain, "alg/TOKEN_BUCKET/5-10s", "p").close();
        }
        try (Response response = retrying.target(getBaseUri()).path("alg/TOKEN_BUCKET/5-10s").request()
                .header(AlgorithmResources.CLIENT, "p").post(Entity.text("x"))) {
            assertThat(response.getStatus()).isEqualTo(429);
        }
        assertThat(requestsSeen.get()).isEqualTo(6);
        assertThat(time.sleeps()).isEmpty();
    }
}
