package dev.ratelimit.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The filter against servers of other vendors' styles (plain Jersey resources on Grizzly, no ratelimit server code):
 * the draft-07 fields only, {@code Retry-After} only (seconds, or an HTTP-date with a server clock 100 s behind), the
 * {@code X-RateLimit-*} fields with an epoch reset, an endpoint that always answers 429, and malformed fields. Each
 * limits 2 or 3 requests per fixed 10 s window on the test's controlled time.
 */
class OtherVendorTest extends JerseyTest {

    private final FakeTime time = new FakeTime();
    private final AtomicInteger hits = new AtomicInteger();
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<Client> clients = new ArrayList<>();
    private long windowStart = -1;
    private int used;

    @Override
    protected Application configure() {
        forceSet(TestProperties.CONTAINER_PORT, "0");
        return new ResourceConfig().registerInstances(new Vendor(this));
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Client::close);
    }

    /** A fixed window of 10 s on the fake time: whether one more request fits the quota, and counts it if so. */
    private synchronized boolean take(int quota) {
        long now = time.micros.nowMicros();
        long start = now - Math.floorMod(now, 10_000_000L);
        if (start != windowStart) {
            windowStart = start;
            used = 0;
        }
        if (used < quota) {
            used++;
            return true;
        }
        return false;
    }

    private synchronized long remaining(int quota) {
        return quota - used;
    }

    /** Whole seconds until the current window ends, rounded up. */
    private synchronized long resetSeconds() {
        long left = windowStart + 10_000_000L - time.micros.nowMicros();
        return (left + 999_999) / 1_000_000;
    }

    /**
     * The vendor's API. Its state is the test's, read at request time: JerseyTest builds the application in its
     * constructor, before the test's fields are set.
     */
    @Path("vendor")
    public static final class Vendor {

        private final OtherVendorTest test;

        Vendor(OtherVendorTest test) {
            this.test = test;
        }

        /** @return draft-07 fields only */
        @GET
        @Path("draft07")
        public Response draft07() {
            test.hits.incrementAndGet();
            boolean ok = test.take(3);
            return Response.status(ok ? 200 : 429).entity(ok ? "ok" : "slow down")
                    .header("RateLimit-Policy", "3;w=10")
                    .header("RateLimit-Limit", "3")
                    .header("RateLimit-Remaining", test.remaining(3))
                    .header("RateLimit-Reset", test.resetSeconds())
                    .build();
        }

        /** @param style seconds or date @return nothing but Retry-After on a 429 */
        @GET
        @Path("retry-after/{style}")
        public Response retryAfter(@PathParam("style") String style) {
            test.hits.incrementAndGet();
            if (test.take(2)) {
                return Response.ok("ok").build();
            }
            Response.ResponseBuilder b = Response.status(429);
            if (style.equals("seconds")) {
                return b.header("Retry-After", test.resetSeconds()).build();
            }
            Instant serverNow = test.time.instant().minusSeconds(100).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            return b.header("Date", HttpDates.format(serverNow))
                    .header("Retry-After", HttpDates.format(serverNow.plusSeconds(test.resetSeconds()))).build();
        }

        /** @return X-RateLimit-* with the reset as epoch seconds, as several vendors send it */
        @GET
        @Path("x-epoch")
        public Response xEpoch() {
            test.hits.incrementAndGet();
            boolean ok = test.take(2);
            long resetEpoch = test.time.instant().getEpochSecond() + test.resetSeconds();
            return Response.status(ok ? 200 : 429)
                    .header("X-RateLimit-Limit", "2")
                    .header("X-RateLimit-Remaining", test.remaining(2))
                    .header("X-RateLimit-Reset", resetEpoch)
                    .build();
        }

        /** @return always a 429, come back in 1 s */
        @GET
        @Path("always-429")
        public Response always() {
            test.hits.incrementAndGet();
            return Response.status(429).header("Retry-After", "1").build();
        }

        /** @param body recorded @return always a 429 */
        @PUT
        @Path("always-429")
        public Response alwaysPut(byte[] body) {
            test.bodies.add(new String(body, StandardCharsets.UTF_8));
            return always();
        }

        /** @param body recorded @return always a 429 */
        @POST
        @Path("always-429")
        public Response alwaysPost(String body) {
            test.bodies.add(body);
            return always();
        }

        /** @return malformed rate-limit fields on a 429 */
        @GET
        @Path("garbage")
        public Response garbage() {
            test.hits.incrementAndGet();
            return Response.status(429)
                    .header("RateLimit-Policy", "\"p\";q=10;w=60, \"broken")
                    .header("RateLimit", "\"p\";r=0;t=-5")
                    .header("RateLimit-Remaining", "0.5")
                    .header("X-RateLimit-Remaining", "zero")
                    .header("Retry-After", "soon")
                    .build();
        }
    }

    private Client client(RateLimitClientFilter filter) {
        Client c = ClientBuilder.newClient().register(filter);
        clients.add(c);
        return c;
    }

    private RateLimitClientFilter.Builder filter() {
        return RateLimitClientFilter.custom().clock(time).sleeper(time).maxWait(Duration.ofMinutes(1));
    }

    private int get(Client c, String path) {
        try (Response r = c.target(getBaseUri()).path(path).request().get()) {
            return r.getStatus();
        }
    }

    // ------------------------------------------------------------------------------------------------ draft-07

    @Test
    void draft07WaitsForTheReset() {
        RateLimitClientFilter filter = filter().build();
        Client c = client(filter);
        time.advance(Duration.ofSeconds(4));
        for (int i = 0; i < 3; i++) {
            assertThat(get(c, "vendor/draft07")).isEqualTo(200);
        }
        RateLimitState.Policy p = filter.state(getBaseUri()).policy(RateLimitState.UNNAMED).orElseThrow();
        assertThat(p.quota()).hasValue(3);
        assertThat(p.window()).contains(Duration.ofSeconds(10));
        assertThat(p.remaining()).hasValue(0);
        assertThat(p.effectiveWindow()).contains(Duration.ofSeconds(6));
        assertThat(p.exhausted()).isTrue();
        assertThat(time.sleeps()).isEmpty();

        assertThat(get(c, "vendor/draft07")).isEqualTo(200);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(6));
        assertThat(hits.get()).isEqualTo(4);
    }

    @Test
    void draft07FailsFastNamingTheUnnamedPolicy() {
        Client c = client(filter().failFast(true).build());
        for (int i = 0; i < 3; i++) {
            get(c, "vendor/draft07");
        }
        assertThatThrownBy(() -> get(c, "vendor/draft07")).isInstanceOfSatisfying(RateLimitedException.class, e -> {
            assertThat(e.policy()).contains(RateLimitState.UNNAMED);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        });
        assertThat(hits.get()).isEqualTo(3);
    }

    @Test
    void theExceptionReachesTypedAndAsynchronousCallsUnwrapped() {
        Client c = client(filter().failFast(true).build());
        for (int i = 0; i < 3; i++) {
            get(c, "vendor/draft07");
        }
        assertThatThrownBy(() -> c.target(getBaseUri()).path("vendor/draft07").request().get(String.class))
                .isInstanceOf(RateLimitedException.class);
        assertThatThrownBy(() -> c.target(getBaseUri()).path("vendor/draft07").request().buildGet().invoke())
                .isInstanceOf(RateLimitedException.class);
        java.util.concurrent.Future<Response> future = c.target(getBaseUri()).path("vendor/draft07").request()
                .async().get();
        assertThatThrownBy(() -> future.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class)
                .hasCauseInstanceOf(RateLimitedException.class);
        assertThat(hits.get()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------------------ Retry-After only

    @Test
    void retryAfterSecondsAloneBlocksUntilThen() {
        RateLimitClientFilter filter = filter().build();
        Client c = client(filter);
        time.advance(Duration.ofSeconds(3));
        assertThat(get(c, "vendor/retry-after/seconds")).isEqualTo(200);
        assertThat(get(c, "vendor/retry-after/seconds")).isEqualTo(200);
        assertThat(get(c, "vendor/retry-after/seconds")).isEqualTo(429); // nothing told the client before
        RateLimitState state = filter.state(getBaseUri());
        assertThat(state.retryAfter()).contains(time.instant().plusSeconds(7));
        assertThat(state.policies()).isEmpty();
        assertThat(get(c, "vendor/retry-after/seconds")).isEqualTo(200);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(7));
        assertThat(hits.get()).isEqualTo(4);
    }

    @Test
    void retryAfterSecondsIsRetried() {
        Client c = client(filter().retries(2).build());
        assertThat(get(c, "vendor/retry-after/seconds")).isEqualTo(200);
        assertThat(get(c, "vendor/retry-after/seconds")).isEqualTo(200);
        try (Response r = c.target(getBaseUri()).path("vendor/retry-after/seconds").request().get()) {
            assertThat(r.getStatus()).isEqualTo(200);
            assertThat(r.readEntity(String.class)).isEqualTo("ok");
        }
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(10));
        assertThat(hits.get()).isEqualTo(4);
    }

    @Test
    void retryAfterAsAnHttpDateCountsFromTheServersDate() {
        RateLimitClientFilter filter = filter().retries(1).build();
        Client c = client(filter);
        time.advance(Duration.ofMillis(2_500));
        get(c, "vendor/retry-after/date");
        get(c, "vendor/retry-after/date");
        // the server's clock is 100 s behind: the date says "in 8 s" by the server's Date, not "100 s ago"
        assertThat(get(c, "vendor/retry-after/date")).isEqualTo(200);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(8));
        assertThat(hits.get()).isEqualTo(4);
    }

    @Test
    void retryAfterAsAnHttpDateFailsFast() {
        Client c = client(filter().failFast(true).build());
        get(c, "vendor/retry-after/date");
        get(c, "vendor/retry-after/date");
        assertThat(get(c, "vendor/retry-after/date")).isEqualTo(429);
        assertThatThrownBy(() -> get(c, "vendor/retry-after/date"))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(e.policy()).isEmpty();
                });
        assertThat(hits.get()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------------------ X-RateLimit-*

    @Test
    void anEpochResetIsAnInstant() {
        RateLimitClientFilter filter = filter().build();
        Client c = client(filter);
        time.advance(Duration.ofSeconds(1));
        get(c, "vendor/x-epoch");
        get(c, "vendor/x-epoch");
        assertThat(filter.state(getBaseUri()).policy(RateLimitState.UNNAMED).orElseThrow().effectiveWindow())
                .contains(Duration.ofSeconds(9));
        assertThat(get(c, "vendor/x-epoch")).isEqualTo(200);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(9));
    }

    // ------------------------------------------------------------------------------------------------ retries

    @Test
    void retriesStopAfterN() {
        Client c = client(filter().retries(3).build());
        assertThat(get(c, "vendor/always-429")).isEqualTo(429);
        assertThat(hits.get()).isEqualTo(4);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1));
    }

    @Test
    void postIsNeverRetried() {
        Client c = client(filter().retries(3).build());
        try (Response r = c.target(getBaseUri()).path("vendor/always-429").request().post(Entity.text("once"))) {
            assertThat(r.getStatus()).isEqualTo(429);
        }
        assertThat(bodies).containsExactly("once");
        assertThat(time.sleeps()).isEmpty();
    }

    @Test
    void aPutWithAStringIsRetriedWithTheSameEntity() {
        Client c = client(filter().retries(2).build());
        try (Response r = c.target(getBaseUri()).path("vendor/always-429").request()
                .put(Entity.entity("same", MediaType.TEXT_PLAIN_TYPE))) {
            assertThat(r.getStatus()).isEqualTo(429);
        }
        assertThat(bodies).containsExactly("same", "same", "same");
    }

    @Test
    void aPutWithAStreamIsNotRetried() {
        Client c = client(filter().retries(2).build());
        try (Response r = c.target(getBaseUri()).path("vendor/always-429").request()
                .put(Entity.entity(new ByteArrayInputStream("stream".getBytes(StandardCharsets.UTF_8)),
                        MediaType.APPLICATION_OCTET_STREAM_TYPE))) {
            assertThat(r.getStatus()).isEqualTo(429);
        }
        assertThat(bodies).containsExactly("stream");
    }

    @Test
    void aRetryAfterBeyondTheMaximumWaitIsNotRetried() {
        Client c = client(filter().retries(3).maxWait(Duration.ofMillis(500)).build());
        assertThat(get(c, "vendor/always-429")).isEqualTo(429);
        assertThat(hits.get()).isEqualTo(1);
        assertThatThrownBy(() -> get(c, "vendor/always-429")).isInstanceOf(RateLimitedException.class);
        assertThat(hits.get()).isEqualTo(1);
        assertThat(time.sleeps()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ leniency

    @Test
    void malformedFieldsAreIgnored() {
        RateLimitClientFilter filter = filter().failFast(true).build();
        Client c = client(filter);
        assertThat(get(c, "vendor/garbage")).isEqualTo(429);
        assertThat(get(c, "vendor/garbage")).isEqualTo(429); // nothing usable: no block, no exception
        assertThat(filter.state(getBaseUri()).policies()).isEmpty();
        assertThat(filter.state(getBaseUri()).blockedUntil()).isEmpty();
        assertThat(hits.get()).isEqualTo(2);
    }

    @Test
    void anInterruptedWaitFailsWithTheInterruption() {
        RateLimitClientFilter filter = RateLimitClientFilter.custom().clock(time)
                .sleeper(d -> {
                    throw new InterruptedException("stop");
                }).build();
        Client c = client(filter);
        for (int i = 0; i < 3; i++) {
            get(c, "vendor/draft07");
        }
        try {
            assertThatThrownBy(() -> get(c, "vendor/draft07"))
                    .isInstanceOfSatisfying(RateLimitedException.class,
                            e -> assertThat(e.getCause()).isInstanceOf(InterruptedException.class));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(hits.get()).isEqualTo(3);
    }
}
