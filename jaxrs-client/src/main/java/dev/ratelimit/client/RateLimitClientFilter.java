package dev.ratelimit.client;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Jakarta REST client filter that cooperates with a rate-limited API, ours or anyone's: it reads the rate-limit
 * fields of every response ({@code RateLimit-Policy} and {@code RateLimit} of draft-ietf-httpapi-ratelimit-headers,
 * the draft-07 {@code RateLimit-Limit}/{@code -Remaining}/{@code -Reset}, {@code X-RateLimit-*}, and
 * {@code Retry-After} in seconds or as an HTTP-date), leniently (a malformed field is ignored), per server and policy;
 * before each request it waits, up to {@link Builder#maxWait(Duration)}, while the server said the quota is used up,
 * or fails fast with a {@link RateLimitedException} without sending the request; after a 429 it can retry idempotent
 * requests; and {@link #state(URI)} tells the application what it learned.
 *
 * <pre>{@code
 * RateLimitClientFilter limits = RateLimitClientFilter.ofDefaults();
 * Client client = ClientBuilder.newClient().register(limits);
 * }</pre>
 *
 * <p>One instance keeps the state of every server its client talks to; it is thread-safe, and one client (with one
 * filter) is meant to be shared by the threads that call the same servers. Register it on the {@code Client}: a retry
 * is sent through the same client. See {@code docs/client.md}.
 */
public final class RateLimitClientFilter implements ClientRequestFilter, ClientResponseFilter {

    /** The request property counting a request's retries, set on the requests the filter re-sends. */
    static final String ATTEMPT_PROPERTY = RateLimitClientFilter.class.getName() + ".attempt";

    /** The request property holding the sequence number the filter gave a request it let go. */
    static final String SEQ_PROPERTY = RateLimitClientFilter.class.getName() + ".seq";

    /** Above this many servers, the states that hold nothing back are dropped. */
    static final int MAX_SERVERS = 1024;


    private final Duration maxWait;
    private final boolean failFast;
    private final int retries;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<String, HostState> servers = new ConcurrentHashMap<>();

    private RateLimitClientFilter(Builder b) {
        this.maxWait = b.maxWait;
        this.failFast = b.failFast;
        this.retries = b.retries;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
    }

    /**
     * A filter with the defaults: waits up to {@value Builder#DEFAULT_MAX_WAIT_SECONDS} s, does not retry, system
     * clock, {@code Thread.sleep}.
     *
     * @return a new filter
     */
    public static RateLimitClientFilter ofDefaults() {
        return custom().build();
    }

    /**
     * A builder, starting from the defaults of {@link #ofDefaults()}.
     *
     * @return a new builder
     */
    public static Builder custom() {
        return new Builder();
    }

    /** Waits for a duration: the filter's only way to let time pass, so tests can move a controlled clock instead. */
    @FunctionalInterface
    public interface Sleeper {

        /**
         * Returns after {@code duration} has passed.
         *
         * @param duration how long, positive
         * @throws InterruptedException when the waiting thread is interrupted
         */
        void sleep(Duration duration) throws InterruptedException;

        /**
         * The production sleeper, {@link TimeUnit#sleep(long)}.
         *
         * @return the sleeper
         */
        static Sleeper system() {
            return d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());
        }
    }

    /**
     * What the filter has learned about the server of {@code uri}.
     *
     * @param uri any URI of the server: only its scheme, host and port count
     * @return an immutable snapshot as of now; without policies when nothing is known
     */
    public RateLimitState state(URI uri) {
        String authority = authority(uri);
        Instant now = clock.instant();
        HostState host = servers.get(authority);
        return host == null ? new RateLimitState(authority, now, null, null, List.of()) : host.snapshot(now);
    }

    /**
     * Before a request: holds it back while the server's last answer says it would be refused.
     *
     * @param request the request
     * @throws RateLimitedException when failing fast, when the wait would exceed the maximum, or when interrupted
     */
    @Override
    public void filter(ClientRequestContext request) {
        HostState host = host(request.getUri());
        Instant deadline = null;
        while (true) {
            Instant now = clock.instant();
            long seq = host.tryAcquire(now);
            if (seq >= 0) {
                request.setProperty(SEQ_PROPERTY, seq);
                return;
            }
            HostState.Block block = host.blockAt(now);
            if (block == null) {
                continue; // another thread's response lifted the block meanwhile
            }
            Duration wait = HostState.remaining(block, now);
            if (deadline == null) {
                deadline = now.plus(maxWait);
            }
            if (failFast || block.until().isAfter(deadline)) {
                throw new RateLimitedException(request.getUri(), wait, block.policy(), null);
            }
            sleep(wait, request.getUri(), block.policy());
        }
    }

    /**
     * After a response: records its rate-limit fields and, for a 429 of an idempotent request, retries it when
     * configured and the wait fits.
     *
     * @param request  the request
     * @param response the response; replaced in place by the retry's
     * @throws IOException when the retried response's content cannot be read
     */
    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) throws IOException {
        Instant now = clock.instant();
        int status = response.getStatus();
        MultivaluedMap<String, String> headers = response.getHeaders();
        RateLimitFields.Observation observation = RateLimitFields.read(name -> lines(headers, name),
                status == 429 || status == 503, now);
        HostState host = host(request.getUri());
        Object seq = request.getProperty(SEQ_PROPERTY);
        host.observe(observation, now, seq instanceof Long ? (Long) seq : -1);

        if (status != 429 || !Resend.allowed(request, retries)) {
            return;
        }
        HostState.Block block = host.blockAt(now);
        if (block == null || block.until().isAfter(now.plus(maxWait))) {
            return; // the 429 did not say when (so a retry would be a guess), or not soon enough
        }
        // read the 429's content now: its connection is then free for the retry, and the caller gets it if the retry
        // is not sent after all
        Resend.keepContent(response);
        sleep(HostState.remaining(block, now), request.getUri(), block.policy());
        Response retried;
        try {
            retried = Resend.send(request);
        } catch (RateLimitedException e) {
            return; // another thread learned of a longer wait meanwhile: the caller gets the 429 it would have got
        }
        Resend.replace(response, retried);
    }

    private void sleep(Duration wait, URI target, String policy) {
        if (wait.isZero()) {
            return;
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RateLimitedException(target, wait, policy, e);
        }
    }

    private HostState host(URI uri) {
        String authority = authority(uri);
        HostState host = servers.get(authority);
        if (host != null) {
            return host;
        }
        if (servers.size() >= MAX_SERVERS) {
            Instant now = clock.instant();
            servers.values().removeIf(h -> !h.active(now));
        }
        return servers.computeIfAbsent(authority, HostState::new);
    }

    /** {@code scheme://host:port}, lower case, with the default port of http and https filled in. */
    static String authority(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() != null ? uri.getHost().toLowerCase(Locale.ROOT)
                : uri.getRawAuthority() != null ? uri.getRawAuthority().toLowerCase(Locale.ROOT) : "";
        int port = uri.getPort();
        if (port < 0) {
            port = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        }
        return scheme + "://" + host + (port < 0 ? "" : ":" + port);
    }

    /** A field's lines, the name compared case-insensitively; null when absent. */
    private static List<String> lines(MultivaluedMap<String, String> headers, String name) {
        List<String> direct = headers.get(name);
        if (direct != null) {
            return direct;
        }
        List<String> found = null;
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name)) {
                if (found == null) {
                    found = new ArrayList<>();
                }
                found.addAll(h.getValue());
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return "RateLimitClientFilter[maxWait=" + maxWait + ", failFast=" + failFast + ", retries=" + retries + "]";
    }

    /** Configures a {@link RateLimitClientFilter}; each setter checks its value at once. */
    public static final class Builder {

        /** The default {@link #maxWait(Duration)}, in seconds. */
        public static final long DEFAULT_MAX_WAIT_SECONDS = 30;
        /** The largest {@link #retries(int)}. */
        public static final int MAX_RETRIES = 10;

        private Duration maxWait = Duration.ofSeconds(DEFAULT_MAX_WAIT_SECONDS);
        private boolean failFast;
        private int retries;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.system();

        private Builder() {
        }

        /**
         * The longest a request waits before it is sent, and a retry before it is re-sent; a request that would have
         * to wait longer fails at once with a {@link RateLimitedException}. Zero never waits.
         *
         * @param maxWait not negative; default {@value #DEFAULT_MAX_WAIT_SECONDS} s
         * @return this builder
         * @throws IllegalArgumentException when negative
         * @throws NullPointerException     when null
         */
        public Builder maxWait(Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
            }
            this.maxWait = maxWait;
            return this;
        }

        /**
         * Whether a request that would have to wait fails at once with a {@link RateLimitedException} instead.
         *
         * @param failFast default false
         * @return this builder
         */
        public Builder failFast(boolean failFast) {
            this.failFast = failFast;
            return this;
        }

        /**
         * How many times an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) with no entity or a
         * {@code String} or {@code byte[]} entity is re-sent after a 429 that said when to come back, when that is
         * within {@link #maxWait(Duration)}.
         *
         * @param retries 0 to {@value #MAX_RETRIES}; default 0
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder retries(int retries) {
            if (retries < 0 || retries > MAX_RETRIES) {
                throw new IllegalArgumentException("retries must be 0 to " + MAX_RETRIES + ": " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * The clock the filter reads; tests pass a controlled one.
         *
         * @param clock default {@link Clock#systemUTC()}
         * @return this builder
         * @throws NullPointerException when null
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How the filter waits; tests pass one that moves their clock.
         *
         * @param sleeper default {@link Sleeper#system()}
         * @return this builder
         * @throws NullPointerException when null
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * The filter.
         *
         * @return a new filter with this configuration
         * @throws IllegalStateException when {@code failFast} is combined with retries: a retry waits
         */
        public RateLimitClientFilter build() {
            if (failFast && retries > 0) {
                throw new IllegalStateException("failFast(true) and retries(" + retries + ") contradict each other: "
                        + "a retry waits for the server; choose one");
            }
            return new RateLimitClientFilter(this);
        }
    }
}
