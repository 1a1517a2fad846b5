package dev.ratelimit.bindingcontract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.Store;
import dev.ratelimit.core.TimeSource;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.RedisClient;

/**
 * The HTTP behaviour both bindings (the JAX-RS binding and the servlet filter) must show, asserted identically for
 * each through plain HTTP ({@link HttpClient}), so that the two cannot drift apart. A binding's test extends this
 * class and implements the small SPI: {@link #deploy(Map, RateLimiter)} a fresh application serving the catalogue
 * below, {@link #undeploy()} it, and count {@link #invocations()} of the catalogue's endpoints.
 *
 * <p>Each test deploys a fresh application with its own limiter (from {@link #newLimiter(TimeSource)}, an in-memory
 * limiter unless a binding's test overrides it) on a {@link ManualClock} at 2026-01-01T00:00:00Z, a whole number of
 * days, so fixed windows start there and every header value is exact. No time passes unless a test moves the clock;
 * nothing sleeps. The application takes that limiter as an application's own (the JAX-RS binding from an HK2
 * binding, the servlet filter from the context attribute {@code dev.ratelimit.core.RateLimiter}). The tests of a
 * failing Redis instead let the binding build its limiter from the settings, with a Redis of their own that they
 * kill; they assert nothing that depends on the time.
 *
 * <p>The catalogue, at the paths below the base URI {@code deploy} returns (the application's root, a context path
 * such as {@code /app}). Every endpoint answers {@code GET} with 200 and the body {@code ok}, counting one invocation,
 * and {@code /one} answers {@code OPTIONS} with 200 the same way, under the same limit (the JAX-RS fixture from an
 * {@code @OPTIONS} method of a class whose limit is class-level):
 *
 * <table>
 * <caption>endpoints</caption>
 * <tr><th>path</th><th>limits (name: limit per window, algorithm, key)</th></tr>
 * <tr><td>{@code /one}</td><td>{@code one}: 3 per 1h, TOKEN_BUCKET, PRINCIPAL_OR_IP</td></tr>
 * <tr><td>{@code /two}</td><td>{@code two-short}: 2 per 1h and {@code two-long}: 4 per 1d, both FIXED_WINDOW,
 *     PRINCIPAL_OR_IP, in that order</td></tr>
 * <tr><td>{@code /ip}</td><td>{@code by-ip}: 2 per 1h, FIXED_WINDOW, IP</td></tr>
 * <tr><td>{@code /by-header}</td><td>{@code by-header}: 2 per 1h, FIXED_WINDOW, HEADER {@value #API_KEY_HEADER}</td></tr>
 * <tr><td>{@code /custom}</td><td>{@code by-tenant}: 2 per 1h, FIXED_WINDOW, CUSTOM by {@link TenantKeyResolver}
 *     (the application's one {@code KeyResolver})</td></tr>
 * <tr><td>{@code /cost}</td><td>{@code cost}: 5 per 1h, FIXED_WINDOW, PRINCIPAL_OR_IP, cost 2</td></tr>
 * <tr><td>{@code /shared-a}, {@code /shared-b}</td><td>{@code shared}: 5 per 1h, FIXED_WINDOW, PRINCIPAL_OR_IP,
 *     declared on each (two methods, two filters), cost 2 on {@code /shared-a} and 1 on {@code /shared-b}: one
 *     counter</td></tr>
 * <tr><td>{@code /teapot}</td><td>{@code teapot}: 1 per 1h, FIXED_WINDOW, PRINCIPAL_OR_IP; its refusals are answered
 *     by {@link ContractRejections}, the application's rejection handler (JAX-RS: bound in HK2, for the whole
 *     application; servlet: the filter's init-param {@code rejectionHandler})</td></tr>
 * <tr><td>{@code /failing}</td><td>{@code failing}: 2 per 1h, FIXED_WINDOW, PRINCIPAL_OR_IP, counting only 4xx answers
 *     ({@code countWhen}); it answers the status of the request header {@code X-Respond-Status}, 200 without
 *     one</td></tr>
 * <tr><td>{@code /unlimited}</td><td>none</td></tr>
 * </table>
 *
 * <p>Authentication: a request with the header {@value #USER_HEADER}{@code : alice} reaches the binding with the
 * principal {@code alice}, as after a login, and with it {@value #ROLE_HEADER}{@code : ops, audit} puts that user in
 * the roles {@code ops} and {@code audit} (a role header without a user grants nothing); each fixture implements that
 * with its own authentication filter, which runs before the binding.
 *
 * <p>Settings: {@code deploy} gets the global settings of one test (e.g. {@code ratelimit.shadow=true},
 * {@code ratelimit.headers=LEGACY}, {@code ratelimit.trusted-proxies=127.0.0.1/32}) and gives them to the
 * application as its container parameters (JAX-RS: application properties; servlet: context-params). The client
 * always connects from 127.0.0.1. With {@value #APPLICATION_RULES_RESOLVER}{@code =true} among them, the fixture also
 * binds {@link ContractRulesResolver} as the application's rules resolver (see that constant).
 */
public abstract class BindingContract {

    /** The header a fixture turns into the request's principal. */
    public static final String USER_HEADER = "X-Test-User";
    /** The header whose comma-separated roles a fixture grants the principal of {@link #USER_HEADER}. */
    public static final String ROLE_HEADER = "X-Test-Role";
    /** The header {@code /by-header} is keyed by. */
    public static final String API_KEY_HEADER = "X-Api-Key";
    /** The header {@link TenantKeyResolver} reads for {@code /custom}. */
    public static final String TENANT_HEADER = "X-Tenant";
    /**
     * With this setting {@code true}, the fixture also serves the admin endpoint at {@code /admin/ratelimit} (JAX-RS:
     * registers {@code RateLimitAdminResource}; servlet: maps {@code RateLimitAdminServlet} to
     * {@code /admin/ratelimit/*}).
     */
    public static final String ADMIN = "contract.admin";

    /**
     * The setting that, with the value {@code true}, makes a fixture bind {@link ContractRulesResolver} as the
     * application's rules resolver (JAX-RS: in HK2, for the whole application; servlet: the init-param
     * {@code rulesResolver} of every filter). Not a rate-limit setting: the bindings ignore it.
     */
    public static final String APPLICATION_RULES_RESOLVER = "contract.rules-resolver";

    private static final String TRUSTED_LOCALHOST = "127.0.0.1/32, ::1";
    private static final String PROBLEM_TYPE = "https://iana.org/assignments/http-problem-types#quota-exceeded";
    /** Makes the Redis key prefixes of the tests unique. */
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /** The rate-limit header fields, lower case. */
    private static final Set<String> RATE_LIMIT_FIELDS = Set.of("ratelimit-policy", "ratelimit", "x-ratelimit-limit",
            "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after");

    /** The limiter's clock: 2026-01-01T00:00:00Z until a test moves it. */
    protected final ManualClock clock = new ManualClock();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private RateLimiter limiter;
    private URI base;
    /** A Redis of one test's own, which it may kill. */
    private RedisServer ownRedis;

    /**
     * Deploys a fresh application serving the catalogue (see the class comment) with {@code limiter} as its
     * limiter and {@code settings} as its container parameters, and returns its root, without a trailing slash.
     * A null {@code limiter}: the application gives the binding none, so the binding builds its own from the
     * settings (e.g. {@code ratelimit.redis.url}) and closes it when the application stops.
     */
    protected abstract URI deploy(Map<String, String> settings, RateLimiter limiter) throws Exception;

    /** Stops the application {@link #deploy} started; called after each test. */
    protected abstract void undeploy() throws Exception;

    /** How often the catalogue's endpoints ran (GET and OPTIONS) since the last {@link #deploy}. */
    protected abstract int invocations();

    /** The limiter of one test, on {@code clock}; in memory unless a binding's test decides in another store. */
    protected RateLimiter newLimiter(TimeSource clock) {
        return InMemoryRateLimiter.custom().timeSource(clock).build();
    }

    /** Deploys with {@code settings} as name, value, name, value, … */
    /**
     * Deploys with {@code settings}, which must fail the deployment, and returns the messages of the failure and its
     * causes, one per line; undeploys what the failed start left running.
     */
    private String deploymentFailure(Map<String, String> settings) throws Exception {
        limiter = newLimiter(clock);
        Throwable failure = null;
        try {
            base = deploy(settings, limiter);
        } catch (Exception e) {
            failure = e;
            undeploy(); // what a failed start left running
        }
        assertThat(failure).as("the deployment fails").isNotNull();
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    private void deployWith(String... settings) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        limiter = newLimiter(clock);
        try {
            base = deploy(map, limiter);
        } catch (Exception e) {
            throw new IllegalStateException("cannot deploy the catalogue", e);
        }
    }

    /** Deploys without a limiter of the application's: the binding builds its own from {@code settings}. */
    private void deployOwnLimiter(String... settings) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        try {
            base = deploy(map, null);
        } catch (Exception e) {
            throw new IllegalStateException("cannot deploy the catalogue", e);
        }
    }

    @AfterEach
    void undeployAndClose() throws Exception {
        try {
            if (base != null) {
                undeploy();
            }
        } finally {
            if (limiter != null) {
                limiter.close();
            }
            if (ownRedis != null) {
                ownRedis.close();
            }
        }
    }

    // --- HTTP ----------------------------------------------------------------------------------------------------

    /** A GET of {@code path}, with request headers as name, value, name, value, … */
    protected final HttpResponse<String> get(String path, String... headers) {
        return request("GET", path, headers);
    }

    /** A GET of {@code path} as {@code client}, forwarded (X-Forwarded-For) by a proxy on 127.0.0.1. */
    protected final HttpResponse<String> getFrom(String client, String path, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "X-Forwarded-For";
        all[1] = client;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return get(path, all);
    }

    /** A browser's CORS preflight of {@code path}. */
    protected final HttpResponse<String> preflight(String path) {
        return request("OPTIONS", path, "Origin", "https://app.example", "Access-Control-Request-Method", "GET");
    }

    /** A request without a body, with request headers as name, value, name, value, … */
    protected final HttpResponse<String> request(String method, String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String header(HttpResponse<String> response, String name) {
        List<String> values = response.headers().allValues(name);
        assertThat(values.size()).as("field lines of %s", name).isLessThanOrEqualTo(1);
        return values.isEmpty() ? null : values.get(0);
    }

    /** The rate-limit fields (and Retry-After) of a response, lower case. */
    private static Set<String> rateLimitFields(HttpResponse<String> response) {
        Set<String> fields = new TreeSet<>();
        for (String name : response.headers().map().keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (RATE_LIMIT_FIELDS.contains(lower) || lower.contains("ratelimit")) {
                fields.add(lower);
            }
        }
        return fields;
    }

    /** The path of {@code path} on the server, as a problem's {@code instance}: with the context path. */
    private String instance(String path) {
        return base.getRawPath() + path;
    }

    private static String problem(String name, String quota, long retryAfter, String instance) {
        return "{\"type\":\"" + PROBLEM_TYPE + "\","
                + "\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\",\"status\":429,"
                + "\"detail\":\"Rate limit \\\"" + name + "\\\" of " + quota + " exceeded; retry in " + retryAfter
                + " s.\",\"instance\":\"" + instance + "\",\"violated-policies\":[\"" + name
                + "\"],\"retryAfter\":" + retryAfter + "}";
    }

    private static RateLimitRule rule(String name, long limit, String window, Algorithm algorithm) {
        return RateLimitRule.custom().name(name).limit(limit).window(window).algorithm(algorithm)
                .key(KeySource.PRINCIPAL_OR_IP).build();
    }

    /** What the limiter has left for {@code key} under {@code rule}, taking one permit to find out. */
    private Long remainingAfterOneMore(String key, RateLimitRule rule) {
        var decision = limiter.acquire(key, rule);
        return decision.allowed() ? decision.remaining() : -1L;
    }

    // --- statuses, headers, 429 body ------------------------------------------------------------------------------

    @Test
    void allowedUntilExhaustedThenA429WithExactHeadersAndProblemBodyWithoutRunningTheEndpoint() {
        deployWith();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = get("/one");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("ok");
            // a token bucket of 3 per hour refills one permit every 1200 s: t is the time until the next one (more
            // than r), X-RateLimit-Reset the time until all are back
            assertThat(header(ok, "RateLimit-Policy")).isEqualTo("\"one\";q=3;w=3600");
            assertThat(header(ok, "RateLimit")).isEqualTo("\"one\";r=" + (2 - i) + ";t=1200");
            assertThat(header(ok, "X-RateLimit-Limit")).isEqualTo("3");
            assertThat(header(ok, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
            assertThat(header(ok, "X-RateLimit-Reset")).isEqualTo(String.valueOf(1200 * (i + 1)));
            assertThat(header(ok, "Retry-After")).as("Retry-After only on a denial").isNull();
            assertThat(header(ok, "Cache-Control")).isEqualTo("private");
            assertThat(rateLimitFields(ok)).containsExactly("ratelimit", "ratelimit-policy", "x-ratelimit-limit",
                    "x-ratelimit-remaining", "x-ratelimit-reset");
        }

        HttpResponse<String> denied = get("/one");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(header(denied, "Retry-After")).isEqualTo("1200");
        assertThat(header(denied, "RateLimit-Policy")).isEqualTo("\"one\";q=3;w=3600");
        assertThat(header(denied, "RateLimit")).as("t is the retry-after: Retry-After is not earlier")
                .isEqualTo("\"one\";r=0;t=1200");
        assertThat(header(denied, "X-RateLimit-Limit")).isEqualTo("3");
        assertThat(header(denied, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(header(denied, "X-RateLimit-Reset")).isEqualTo("3600");
        assertThat(header(denied, "Cache-Control")).isEqualTo("private");
        assertThat(rateLimitFields(denied)).containsExactly("ratelimit", "ratelimit-policy", "retry-after",
                "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset");
        assertThat(denied.body()).isEqualTo(problem("one", "3 per 1h", 1200, instance("/one")));
        assertThat(header(denied, "Content-Length")).isEqualTo(String.valueOf(denied.body().length()));
        assertThat(invocations()).as("the endpoint ran for the allowed requests only").isEqualTo(3);

        clock.advance(Duration.ofSeconds(1200));
        HttpResponse<String> again = get("/one");
        assertThat(again.statusCode()).as("one permit back after Retry-After").isEqualTo(200);
        assertThat(header(again, "RateLimit")).isEqualTo("\"one\";r=0;t=1200");
        assertThat(header(again, "X-RateLimit-Reset")).isEqualTo("3600");
        assertThat(invocations()).isEqualTo(4);
    }

    @ParameterizedTest(name = "ratelimit.headers={0}")
    @ValueSource(strings = {"IETF", "LEGACY", "BOTH", "NONE"})
    void eachHeaderStyleSendsExactlyItsFields(String style) {
        deployWith("ratelimit.headers", style);
        boolean ietf = style.equals("IETF") || style.equals("BOTH");
        boolean legacy = style.equals("LEGACY") || style.equals("BOTH");
        Set<String> fields = new TreeSet<>();
        if (ietf) {
            fields.addAll(List.of("ratelimit-policy", "ratelimit"));
        }
        if (legacy) {
            fields.addAll(List.of("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"));
        }

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> ok = get("/by-header", API_KEY_HEADER, "k1");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(rateLimitFields(ok)).as("allowed").isEqualTo(fields);
            assertThat(header(ok, "RateLimit-Policy")).isEqualTo(ietf ? "\"by-header\";q=2;w=3600" : null);
            assertThat(header(ok, "RateLimit")).isEqualTo(ietf ? "\"by-header\";r=" + (1 - i) + ";t=3600" : null);
            assertThat(header(ok, "X-RateLimit-Limit")).isEqualTo(legacy ? "2" : null);
            assertThat(header(ok, "X-RateLimit-Remaining")).isEqualTo(legacy ? String.valueOf(1 - i) : null);
            assertThat(header(ok, "X-RateLimit-Reset")).isEqualTo(legacy ? "3600" : null);
            assertThat(header(ok, "Cache-Control"))
                    .as("private when it carries rate-limit fields, else left alone")
                    .isEqualTo(style.equals("NONE") ? null : "private");
        }

        HttpResponse<String> denied = get("/by-header", API_KEY_HEADER, "k1");
        assertThat(denied.statusCode()).isEqualTo(429);
        Set<String> deniedFields = new TreeSet<>(fields);
        deniedFields.add("retry-after");
        assertThat(rateLimitFields(denied)).as("denied").isEqualTo(deniedFields);
        assertThat(header(denied, "Retry-After")).as("Retry-After is sent on a denial whatever the style")
                .isEqualTo("3600");
        assertThat(header(denied, "RateLimit")).isEqualTo(ietf ? "\"by-header\";r=0;t=3600" : null);
        assertThat(header(denied, "X-RateLimit-Remaining")).isEqualTo(legacy ? "0" : null);
        assertThat(header(denied, "Cache-Control")).as("a denial carries Retry-After, one client's")
                .isEqualTo("private");
        assertThat(header(denied, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(denied.body()).isEqualTo(problem("by-header", "2 per 1h", 3600, instance("/by-header")));
        assertThat(invocations()).isEqualTo(2);
    }

    /**
     * With {@code ratelimit.headers.partition-key=true}, each policy item and the RateLimit item carry {@code pk}: the
     * keyed hash of the rule's client key under the configured secret, never the key (here the client IP) itself.
     */
    @Test
    void partitionKeysAreKeyedHashesOfTheClientKey() {
        String secret = "binding contract partition-key secret";
        deployWith("ratelimit.headers.partition-key", "true", "ratelimit.headers.partition-key-secret", secret);
        String pk = dev.ratelimit.internal.http.PartitionKeys.withSecret(secret).of("ip:127.0.0.1");
        HttpResponse<String> first = get("/two");
        assertThat(header(first, "RateLimit-Policy"))
                .isEqualTo("\"two-short\";q=2;w=3600;pk=" + pk + ", \"two-long\";q=4;w=86400;pk=" + pk);
        assertThat(header(first, "RateLimit")).isEqualTo("\"two-short\";r=1;t=3600;pk=" + pk);
        assertThat(String.join(" ", first.headers().allValues("RateLimit"))).doesNotContain("127.0.0.1");
        HttpResponse<String> other = get("/by-header", API_KEY_HEADER, "k1");
        assertThat(header(other, "RateLimit")).as("another key, another pk").doesNotContain(pk)
                .contains(";pk=:").doesNotContain("k1");
    }

    @Test
    void anUnlimitedEndpointCarriesNoRateLimitHeaders() {
        deployWith();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> free = get("/unlimited");
            assertThat(free.statusCode()).isEqualTo(200);
            assertThat(free.body()).isEqualTo("ok");
            assertThat(rateLimitFields(free)).isEmpty();
            assertThat(header(free, "Cache-Control")).as("left alone").isNull();
        }
        assertThat(invocations()).isEqualTo(5);
    }

    @Test
    void theDraftTheLegacyPrefixAndTheThresholdShapeTheHeaders() {
        deployWith("ratelimit.headers.draft", "draft-07", "ratelimit.headers.legacy-prefix", "RateLimit-",
                "ratelimit.headers.threshold", "34");
        HttpResponse<String> first = get("/one");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(rateLimitFields(first)).as("2 of 3 left: above 34 %").isEmpty();
        assertThat(header(first, "Cache-Control")).as("nothing of the client's in it").isNull();
        HttpResponse<String> second = get("/one");
        assertThat(header(second, "RateLimit")).as("1 of 3 left: at most 34 %")
                .isEqualTo("limit=3, remaining=1, reset=2400");
        assertThat(header(second, "RateLimit-Policy")).isEqualTo("3;w=3600");
        assertThat(header(second, "RateLimit-Limit")).isEqualTo("3");
        assertThat(header(second, "RateLimit-Remaining")).isEqualTo("1");
        assertThat(header(second, "RateLimit-Reset")).isEqualTo("2400");
        assertThat(header(second, "X-RateLimit-Limit")).isNull();
        assertThat(header(second, "Cache-Control")).isEqualTo("private");
        get("/one");
        HttpResponse<String> denied = get("/one");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "RateLimit")).isEqualTo("limit=3, remaining=0, reset=3600");
        assertThat(header(denied, "Retry-After")).isEqualTo("1200");
    }

    // --- the application's rejection handler -----------------------------------------------------------------------

    @Test
    void theApplicationsRejectionHandlerChoosesStatusTypeAndBodyAndTheHeadersStay() {
        deployWith();
        assertThat(get("/teapot").statusCode()).isEqualTo(200);
        HttpResponse<String> denied = get("/teapot");
        assertThat(denied.statusCode()).isEqualTo(418);
        assertThat(header(denied, "Content-Type").replace(" ", "")).as("as the handler chose (Jetty lower-cases "
                + "the charset)").isEqualToIgnoringCase("text/plain;charset=UTF-8");
        assertThat(denied.body()).isEqualTo("No more tea (teapot); was 429, retry in 3600 s");
        assertThat(header(denied, "Retry-After")).isEqualTo("3600");
        assertThat(header(denied, "RateLimit")).isEqualTo("\"teapot\";r=0;t=3600");
        assertThat(header(denied, "Cache-Control")).isEqualTo("private");
        assertThat(invocations()).isEqualTo(1);

        // other refusals of the same application stay standard
        for (int i = 0; i < 3; i++) {
            get("/one");
        }
        assertThat(get("/one").body()).isEqualTo(problem("one", "3 per 1h", 1200, instance("/one")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"throw", "null", "header-injection"})
    void aFaultyRejectionHandlerFallsBackToTheStandardProblemAndNothingReachesAHeader(String how) {
        deployWith();
        get("/teapot");
        HttpResponse<String> denied = get("/teapot", ContractRejections.MISBEHAVE_HEADER, how);
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(denied.body()).isEqualTo(problem("teapot", "1 per 1h", 3600, instance("/teapot")));
        assertThat(denied.headers().map()).doesNotContainKey("set-cookie");
    }

    // --- several limits, cost, shared names -----------------------------------------------------------------------

    @Test
    void severalLimitsAllApplyTheDenyingOneIsReportedAndADenialConsumesNothingFromTheOther() {
        deployWith();
        HttpResponse<String> first = get("/two");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "RateLimit-Policy"))
                .isEqualTo("\"two-short\";q=2;w=3600, \"two-long\";q=4;w=86400");
        assertThat(header(first, "RateLimit")).as("the most restrictive").isEqualTo("\"two-short\";r=1;t=3600");
        assertThat(header(first, "X-RateLimit-Limit")).isEqualTo("2");
        assertThat(header(first, "X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(header(first, "X-RateLimit-Reset")).isEqualTo("3600");
        assertThat(get("/two").statusCode()).isEqualTo(200);

        HttpResponse<String> third = get("/two");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(header(third, "Retry-After")).isEqualTo("3600");
        assertThat(header(third, "RateLimit")).isEqualTo("\"two-short\";r=0;t=3600");
        assertThat(header(third, "X-RateLimit-Limit")).isEqualTo("2");
        assertThat(third.body()).isEqualTo(problem("two-short", "2 per 1h", 3600, instance("/two")));

        clock.advance(Duration.ofHours(1));
        assertThat(get("/two").statusCode()).isEqualTo(200);
        HttpResponse<String> fifth = get("/two");
        assertThat(fifth.statusCode()).as("the denied third request took nothing from two-long").isEqualTo(200);
        // both have none left: the one that takes longer to come back is reported
        assertThat(header(fifth, "RateLimit")).isEqualTo("\"two-long\";r=0;t=82800");
        assertThat(header(fifth, "X-RateLimit-Limit")).isEqualTo("4");
        assertThat(header(fifth, "X-RateLimit-Reset")).isEqualTo("82800");

        clock.advance(Duration.ofHours(1));
        HttpResponse<String> sixth = get("/two");
        assertThat(sixth.statusCode()).as("two-short has room again, two-long of 4 a day is used up").isEqualTo(429);
        assertThat(header(sixth, "Retry-After")).isEqualTo("79200");
        assertThat(header(sixth, "RateLimit")).isEqualTo("\"two-long\";r=0;t=79200");
        assertThat(sixth.body()).isEqualTo(problem("two-long", "4 per 1d", 79200, instance("/two")));
        assertThat(invocations()).isEqualTo(4);
        assertThat(remainingAfterOneMore("ip:127.0.0.1", rule("two-short", 2, "1h", Algorithm.FIXED_WINDOW)))
                .as("the denial by two-long took nothing from two-short").isEqualTo(1L);
    }

    @Test
    void costTakesSeveralPermits() {
        deployWith();
        assertThat(header(get("/cost"), "X-RateLimit-Remaining")).isEqualTo("3");
        assertThat(header(get("/cost"), "X-RateLimit-Remaining")).isEqualTo("1");
        HttpResponse<String> denied = get("/cost");
        assertThat(denied.statusCode()).as("one permit left, two needed").isEqualTo(429);
        assertThat(header(denied, "RateLimit-Policy")).isEqualTo("\"cost\";q=5;w=3600");
        assertThat(header(denied, "X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(invocations()).isEqualTo(2);
    }

    @Test
    void limitsOfOneNameShareOneCounterAcrossEndpointsEachTakingItsOwnCost() {
        deployWith();
        assertThat(header(get("/shared-a"), "X-RateLimit-Remaining")).as("cost 2").isEqualTo("3");
        assertThat(header(get("/shared-b"), "X-RateLimit-Remaining")).as("cost 1, same counter").isEqualTo("2");
        assertThat(header(get("/shared-a"), "X-RateLimit-Remaining")).isEqualTo("0");
        HttpResponse<String> denied = get("/shared-b");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "RateLimit-Policy")).isEqualTo("\"shared\";q=5;w=3600");
        assertThat(denied.body()).isEqualTo(problem("shared", "5 per 1h", 3600, instance("/shared-b")));
        assertThat(invocations()).isEqualTo(3);
    }

    // --- keys -----------------------------------------------------------------------------------------------------

    @Test
    void behindATrustedProxyEachForwardedClientIsCountedApart() {
        deployWith("ratelimit.trusted-proxies", TRUSTED_LOCALHOST);
        assertThat(getFrom("198.51.100.7", "/ip").statusCode()).isEqualTo(200);
        assertThat(getFrom("198.51.100.7", "/ip").statusCode()).isEqualTo(200);
        assertThat(getFrom("198.51.100.7", "/ip").statusCode()).isEqualTo(429);

        HttpResponse<String> other = getFrom("198.51.100.8", "/ip");
        assertThat(other.statusCode()).as("another client has its own counter").isEqualTo(200);
        assertThat(header(other, "X-RateLimit-Remaining")).isEqualTo("1");

        // the right-most untrusted address is the client: whatever a client prepends, it stays itself
        assertThat(getFrom("10.9.9.9, 198.51.100.7", "/ip").statusCode()).isEqualTo(429);
        assertThat(getFrom("198.51.100.99, 198.51.100.7", "/ip").statusCode()).isEqualTo(429);
        assertThat(get("/ip", "X-Forwarded-For", "198.51.100.99", "X-Forwarded-For", "198.51.100.7").statusCode())
                .as("all X-Forwarded-For lines, read as one list").isEqualTo(429);
        assertThat(get("/ip", "Forwarded", "for=198.51.100.7").statusCode())
                .as("RFC 7239 Forwarded without X-Forwarded-For").isEqualTo(429);
        HttpResponse<String> withQuery = getFrom("198.51.100.7", "/ip?token=secret");
        assertThat(withQuery.statusCode()).isEqualTo(429);
        assertThat(withQuery.body()).as("the problem's instance is the path, without the query")
                .isEqualTo(problem("by-ip", "2 per 1h", 3600, instance("/ip")));
        assertThat(invocations()).isEqualTo(3);
        RateLimitRule byIp = RateLimitRule.custom().name("by-ip").limit(2).window("1h")
                .algorithm(Algorithm.FIXED_WINDOW).key(KeySource.IP).build();
        assertThat(remainingAfterOneMore("ip:198.51.100.7", byIp))
                .as("counted under the forwarded client address").isEqualTo(-1L);
        assertThat(remainingAfterOneMore("ip:198.51.100.8", byIp)).isEqualTo(0L);
        assertThat(remainingAfterOneMore("ip:127.0.0.1", byIp)).as("nothing counted against the proxy")
                .isEqualTo(1L);
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerDoNotChangeTheKey() {
        deployWith(); // no trusted proxies: X-Forwarded-For and Forwarded are the client's own words, and ignored
        assertThat(getFrom("198.51.100.1", "/ip").statusCode()).isEqualTo(200);
        assertThat(getFrom("198.51.100.2", "/ip").statusCode()).isEqualTo(200);
        assertThat(getFrom("198.51.100.3", "/ip").statusCode()).isEqualTo(429);
        assertThat(get("/ip", "Forwarded", "for=198.51.100.4").statusCode()).isEqualTo(429);
        assertThat(get("/ip").statusCode()).isEqualTo(429);
        assertThat(invocations()).isEqualTo(2);
        RateLimitRule byIp = RateLimitRule.custom().name("by-ip").limit(2).window("1h")
                .algorithm(Algorithm.FIXED_WINDOW).key(KeySource.IP).build();
        assertThat(remainingAfterOneMore("ip:127.0.0.1", byIp)).as("every request counted against the socket peer")
                .isEqualTo(-1L);
        assertThat(remainingAfterOneMore("ip:198.51.100.1", byIp)).isEqualTo(1L);
    }

    @Test
    void theAuthenticatedPrincipalBeatsTheClientIp() {
        deployWith("ratelimit.trusted-proxies", TRUSTED_LOCALHOST);
        // alice from three addresses: one counter, hers
        assertThat(getFrom("198.51.100.1", "/one", USER_HEADER, "alice").statusCode()).isEqualTo(200);
        assertThat(getFrom("198.51.100.2", "/one", USER_HEADER, "alice").statusCode()).isEqualTo(200);
        assertThat(getFrom("198.51.100.3", "/one", USER_HEADER, "alice").statusCode()).isEqualTo(200);
        HttpResponse<String> fourth = getFrom("198.51.100.4", "/one", USER_HEADER, "alice");
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(fourth.body()).isEqualTo(problem("one", "3 per 1h", 1200, instance("/one")));

        HttpResponse<String> bob = getFrom("198.51.100.1", "/one", USER_HEADER, "bob");
        assertThat(bob.statusCode()).as("another user, same address").isEqualTo(200);
        assertThat(header(bob, "X-RateLimit-Remaining")).isEqualTo("2");
        HttpResponse<String> anonymous = getFrom("198.51.100.1", "/one");
        assertThat(anonymous.statusCode()).as("anonymous requests count by IP").isEqualTo(200);
        assertThat(header(anonymous, "X-RateLimit-Remaining")).isEqualTo("2");
        assertThat(invocations()).isEqualTo(5);

        RateLimitRule one = rule("one", 3, "1h", Algorithm.TOKEN_BUCKET);
        assertThat(remainingAfterOneMore("user:alice", one)).isEqualTo(-1L);
        assertThat(remainingAfterOneMore("user:bob", one)).isEqualTo(1L);
        assertThat(remainingAfterOneMore("ip:198.51.100.1", one)).isEqualTo(1L);
    }

    @Test
    void aHeaderKeyCountsPerValueAndARequestWithoutItCountsByIp() {
        deployWith();
        assertThat(get("/by-header", API_KEY_HEADER, "k1").statusCode()).isEqualTo(200);
        assertThat(get("/by-header", API_KEY_HEADER, "k1").statusCode()).isEqualTo(200);
        assertThat(get("/by-header", API_KEY_HEADER, "k1").statusCode()).isEqualTo(429);
        HttpResponse<String> k2 = get("/by-header", API_KEY_HEADER, "k2");
        assertThat(k2.statusCode()).isEqualTo(200);
        assertThat(header(k2, "X-RateLimit-Remaining")).isEqualTo("1");

        HttpResponse<String> anonymous = get("/by-header");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(header(anonymous, "X-RateLimit-Remaining")).isEqualTo("1");
        HttpResponse<String> blank = get("/by-header", API_KEY_HEADER, " ");
        assertThat(blank.statusCode()).as("a blank header counts by IP too").isEqualTo(200);
        assertThat(header(blank, "X-RateLimit-Remaining")).isEqualTo("0");
        HttpResponse<String> padded = get("/by-header", API_KEY_HEADER, " k2 ");
        assertThat(padded.statusCode()).as("the value is trimmed: k2's counter").isEqualTo(200);
        assertThat(header(padded, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(invocations()).isEqualTo(6);
        RateLimitRule byHeader = RateLimitRule.custom().name("by-header").limit(2).window("1h")
                .algorithm(Algorithm.FIXED_WINDOW).key(KeySource.HEADER).keyHeader(API_KEY_HEADER).build();
        assertThat(remainingAfterOneMore("ip:127.0.0.1", byHeader))
                .as("without the header, the request counted by its IP").isEqualTo(-1L);
        assertThat(remainingAfterOneMore("header:k2", byHeader)).isEqualTo(-1L);
    }

    @Test
    void theApplicationsKeyResolverServesCustomKeys() {
        deployWith();
        assertThat(get("/custom", TENANT_HEADER, "t1").statusCode()).isEqualTo(200);
        assertThat(get("/custom", TENANT_HEADER, "t1").statusCode()).isEqualTo(200);
        assertThat(get("/custom", TENANT_HEADER, "t1").statusCode()).isEqualTo(429);
        HttpResponse<String> t2 = get("/custom", TENANT_HEADER, "t2");
        assertThat(t2.statusCode()).isEqualTo(200);
        assertThat(header(t2, "X-RateLimit-Remaining")).isEqualTo("1");
        HttpResponse<String> none = get("/custom");
        assertThat(none.statusCode()).as("no custom key: counted by IP").isEqualTo(200);
        assertThat(header(none, "X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(invocations()).isEqualTo(4);
        RateLimitRule byTenant = RateLimitRule.custom().name("by-tenant").limit(2).window("1h")
                .algorithm(Algorithm.FIXED_WINDOW).key(KeySource.CUSTOM).build();
        assertThat(remainingAfterOneMore("custom:tenant-t2", byTenant)).isEqualTo(0L);
        assertThat(remainingAfterOneMore("custom:tenant-t1", byTenant)).isEqualTo(-1L);
        assertThat(remainingAfterOneMore("ip:127.0.0.1", byTenant)).isEqualTo(0L);
    }

    // --- exemptions -----------------------------------------------------------------------------------------------

    /** Asserts that a response is the endpoint's own, untouched by the binding: no rate-limit field, no caching rule. */
    private static void assertUntouched(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
        assertThat(rateLimitFields(response)).as("no rate-limit fields").isEmpty();
        assertThat(header(response, "Cache-Control")).as("left alone").isNull();
    }

    @Test
    void anExemptNetworkBehindATrustedProxyIsNeverCountedNorRefusedNorDecorated() {
        deployWith("ratelimit.trusted-proxies", TRUSTED_LOCALHOST, "ratelimit.exempt.networks",
                "198.51.100.0/24, 2001:db8::/32");
        for (int i = 0; i < 5; i++) {
            assertUntouched(getFrom("198.51.100." + (i + 1), "/one"));
            assertUntouched(getFrom("2001:db8::" + (i + 1), "/two"));
        }
        HttpResponse<String> other = getFrom("203.0.113.9", "/one");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(header(other, "X-RateLimit-Remaining")).as("another client: its full quota").isEqualTo("2");
        // the right-most untrusted address is the client: prepending an exempt address does not make a request exempt
        HttpResponse<String> prepended = getFrom("198.51.100.1, 203.0.113.9", "/one");
        assertThat(header(prepended, "X-RateLimit-Remaining")).isEqualTo("1");
        HttpResponse<String> proxy = get("/one");
        assertThat(header(proxy, "X-RateLimit-Remaining")).as("the proxy itself is not in the network")
                .isEqualTo("2");
        assertThat(invocations()).isEqualTo(13);

        RateLimitRule one = rule("one", 3, "1h", Algorithm.TOKEN_BUCKET);
        assertThat(remainingAfterOneMore("ip:198.51.100.1", one)).as("exempt requests reached no store")
                .isEqualTo(2L);
        assertThat(remainingAfterOneMore("ip:203.0.113.9", one)).isEqualTo(0L);
        RateLimitRule twoShort = rule("two-short", 2, "1h", Algorithm.FIXED_WINDOW);
        assertThat(remainingAfterOneMore("ip:2001:db8::1", twoShort)).isEqualTo(1L);
    }

    @Test
    void anExemptNetworkMatchesTheSocketPeerWithoutAProxy() {
        deployWith("ratelimit.exempt.networks", "127.0.0.0/8");
        for (int i = 0; i < 6; i++) {
            assertUntouched(get("/ip"));
            assertUntouched(get("/one", USER_HEADER, "alice"));
            assertUntouched(get("/by-header", API_KEY_HEADER, "k1"));
        }
        assertThat(invocations()).isEqualTo(18);
        assertThat(remainingAfterOneMore("user:alice", rule("one", 3, "1h", Algorithm.TOKEN_BUCKET)))
                .as("whatever the key, an exempt client is not counted").isEqualTo(2L);
    }

    @ParameterizedTest(name = "ratelimit.trusted-proxies={0}")
    @ValueSource(strings = {"", "10.0.0.0/8"})
    void aSpoofedForwardingHeaderFromAnUntrustedPeerDoesNotMakeARequestExempt(String trusted) {
        deployWith("ratelimit.trusted-proxies", trusted, "ratelimit.exempt.networks", "198.51.100.0/24");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> ok = getFrom("198.51.100.7", "/ip");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(header(ok, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(1 - i));
        }
        assertThat(getFrom("198.51.100.7", "/ip").statusCode()).isEqualTo(429);
        assertThat(get("/ip", "Forwarded", "for=198.51.100.7").statusCode()).isEqualTo(429);
        assertThat(invocations()).isEqualTo(2);
    }

    @Test
    void anExemptPrincipalIsNeverCountedAndNamesMatchExactly() {
        deployWith("ratelimit.exempt.principals", "monitor, ops-bot");
        for (int i = 0; i < 5; i++) {
            assertUntouched(get("/one", USER_HEADER, "monitor"));
            assertUntouched(get("/teapot", USER_HEADER, "ops-bot"));
        }
        HttpResponse<String> otherCase = get("/one", USER_HEADER, "Monitor");
        assertThat(header(otherCase, "X-RateLimit-Remaining")).as("names match case and all").isEqualTo("2");
        HttpResponse<String> anonymous = get("/one");
        assertThat(header(anonymous, "X-RateLimit-Remaining")).as("the exempt principal's IP kept its quota")
                .isEqualTo("2");
        assertThat(invocations()).isEqualTo(12);
        assertThat(remainingAfterOneMore("user:monitor", rule("one", 3, "1h", Algorithm.TOKEN_BUCKET)))
                .isEqualTo(2L);
    }

    @Test
    void anExemptRoleIsNeverCountedAndOnlyAnAuthenticatedUserHasRoles() {
        deployWith("ratelimit.exempt.roles", "ops, admin");
        for (int i = 0; i < 5; i++) {
            assertUntouched(get("/two", USER_HEADER, "alice", ROLE_HEADER, "audit, ops"));
        }
        HttpResponse<String> otherRole = get("/two", USER_HEADER, "alice", ROLE_HEADER, "audit");
        assertThat(otherRole.statusCode()).isEqualTo(200);
        assertThat(header(otherRole, "RateLimit")).as("alice's full quota").isEqualTo("\"two-short\";r=1;t=3600");
        HttpResponse<String> noUser = get("/two", ROLE_HEADER, "ops");
        assertThat(header(noUser, "RateLimit")).as("no principal, no role").isEqualTo("\"two-short\";r=1;t=3600");
        assertThat(get("/two", ROLE_HEADER, "ops").statusCode()).isEqualTo(200);
        assertThat(get("/two", ROLE_HEADER, "ops").statusCode()).isEqualTo(429);
        assertUntouched(get("/two", USER_HEADER, "bob", ROLE_HEADER, "admin"));
        assertThat(invocations()).isEqualTo(9);
    }

    @Test
    void anExemptClientIsLetThroughInShadowModeWithoutHeadersToo() {
        deployWith("ratelimit.shadow", "true", "ratelimit.exempt.principals", "monitor");
        for (int i = 0; i < 4; i++) {
            assertUntouched(get("/one", USER_HEADER, "monitor"));
        }
        assertThat(header(get("/one", USER_HEADER, "alice"), "X-RateLimit-Remaining")).isEqualTo("2");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ratelimit.exempt.networks|10.0.0.0/33|is invalid: exempt network '10.0.0.0/33' is not an IP address or "
            + "CIDR range such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1",
        "ratelimit.exempt.networks|intranet.example|is invalid: exempt network 'intranet.example' is not an IP "
            + "address or CIDR range such as 10.0.0.0/8, 192.168.1.10, 2001:db8::/32 or ::1",
        "ratelimit.exempt.roles|ops, **|is invalid: '**' is not a role name (wildcards are not supported: list "
            + "the roles)"})
    void anInvalidExemptionFailsTheDeploymentNamingTheSetting(String setting, String value, String why)
            throws Exception {
        String expected = setting + "='" + value + "' (from context-param/init-param " + setting + ") " + why;
        assertThat(deploymentFailure(new LinkedHashMap<>(Map.of(setting, value)))).contains(expected);
    }

    // --- rules per request: the plan table of the settings, the application's rules resolver ---------------------

    /** The plan table of most plan tests: {@code pro} by role {@code pro}, with {@code one} at 10 per hour. */
    private static final String[] PRO_BY_ROLE = {"ratelimit.plans.names", "pro", "ratelimit.plans.pro.role", "pro",
        "ratelimit.plans.pro.rules.one.limit", "10"};

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aPlanByRoleChangesTheLimitAndThePolicyShowsThePlansQuota() {
        deployWith(PRO_BY_ROLE);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> ok = get("/one", USER_HEADER, "bob", ROLE_HEADER, "pro");
            assertThat(ok.statusCode()).isEqualTo(200);
            // a token bucket of 10 per hour refills one permit every 360 s
            assertThat(header(ok, "RateLimit-Policy")).isEqualTo("\"one\";q=10;w=3600");
            assertThat(header(ok, "RateLimit")).isEqualTo("\"one\";r=" + (9 - i) + ";t=360");
            assertThat(header(ok, "X-RateLimit-Limit")).isEqualTo("10");
        }
        HttpResponse<String> denied = get("/one", USER_HEADER, "bob", ROLE_HEADER, "pro");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "Retry-After")).isEqualTo("360");
        assertThat(denied.body()).isEqualTo(problem("one", "10 per 1h", 360, instance("/one")));
        assertThat(invocations()).isEqualTo(10);
    }

    @Test
    void aRequestInNoPlanKeepsTheDeclaredRules() {
        deployWith(PRO_BY_ROLE);
        for (String[] who : List.of(new String[] {USER_HEADER, "alice"},
                new String[] {USER_HEADER, "carol", ROLE_HEADER, "free, ops"}, new String[0])) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> ok = get("/one", who);
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(header(ok, "RateLimit-Policy")).isEqualTo("\"one\";q=3;w=3600");
                assertThat(header(ok, "RateLimit")).isEqualTo("\"one\";r=" + (2 - i) + ";t=1200");
            }
            assertThat(get("/one", who).statusCode()).isEqualTo(429);
        }
        assertThat(get("/one", ROLE_HEADER, "pro").statusCode()).as("a role without a user grants no plan")
                .isEqualTo(429);
        assertThat(invocations()).isEqualTo(9);
    }

    @Test
    void theDefaultPlanIsTheOneOfARequestThatBelongsToNone() {
        deployWith(with(PRO_BY_ROLE, "ratelimit.plans.names", "pro, free", "ratelimit.plans.default", "free",
                "ratelimit.plans.free.rules.one.limit", "1", "ratelimit.plans.free.rules.one.algorithm",
                "FIXED_WINDOW"));
        HttpResponse<String> anonymous = get("/one");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(header(anonymous, "RateLimit-Policy")).isEqualTo("\"one\";q=1;w=3600");
        assertThat(header(anonymous, "RateLimit")).isEqualTo("\"one\";r=0;t=3600");
        HttpResponse<String> denied = get("/one");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).isEqualTo(problem("one", "1 per 1h", 3600, instance("/one")));
        assertThat(header(get("/one", USER_HEADER, "bob", ROLE_HEADER, "pro"), "RateLimit-Policy"))
                .as("the first plan the request belongs to wins over the default").isEqualTo("\"one\";q=10;w=3600");
        assertThat(header(get("/two"), "RateLimit-Policy")).as("a rule the plan does not name keeps its values")
                .isEqualTo("\"two-short\";q=2;w=3600, \"two-long\";q=4;w=86400");
    }

    @Test
    void enabledFalseDropsARuleForThePlan() {
        deployWith(with(PRO_BY_ROLE, "ratelimit.plans.pro.rules.two-short.enabled", "false"));
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> ok = get("/two", USER_HEADER, "bob", ROLE_HEADER, "pro");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(header(ok, "RateLimit-Policy")).isEqualTo("\"two-long\";q=4;w=86400");
            assertThat(header(ok, "RateLimit")).isEqualTo("\"two-long\";r=" + (3 - i) + ";t=86400");
        }
        HttpResponse<String> denied = get("/two", USER_HEADER, "bob", ROLE_HEADER, "pro");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).isEqualTo(problem("two-long", "4 per 1d", 86400, instance("/two")));
        assertThat(header(get("/two", USER_HEADER, "alice"), "RateLimit-Policy")).as("other plans keep it")
                .isEqualTo("\"two-short\";q=2;w=3600, \"two-long\";q=4;w=86400");
    }

    @Test
    void thePlanHeaderNamesTheRequestsPlan() {
        deployWith("ratelimit.plans.names", "pro", "ratelimit.plans.header", "X-Plan",
                "ratelimit.plans.pro.rules.one.limit", "5", "ratelimit.plans.pro.rules.one.window", "1d");
        HttpResponse<String> pro = get("/one", "X-Plan", "pro");
        assertThat(header(pro, "RateLimit-Policy")).isEqualTo("\"one\";q=5;w=86400");
        assertThat(header(get("/one", "X-Plan", "gold"), "RateLimit-Policy")).as("no such plan: declared")
                .isEqualTo("\"one\";q=3;w=3600");
        assertThat(header(get("/one", "X-Plan", "PRO"), "RateLimit-Policy")).as("plan names match exactly")
                .isEqualTo("\"one\";q=3;w=3600");
        assertThat(header(get("/one"), "RateLimit-Policy")).isEqualTo("\"one\";q=3;w=3600");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ratelimit.plans.names|pro, pro|is invalid: plan 'pro' is listed twice",
        "ratelimit.plans.default|gold|is invalid: it must be one of the plans of ratelimit.plans.names (pro)",
        "ratelimit.plans.pro.rules.one.limit|0|is invalid: limit must be greater than 0, was 0",
        "ratelimit.plans.pro.rules.one.limit|ten|must be a whole number",
        "ratelimit.plans.pro.rules.one.algorithm|LEAKY_BUCKET|must be one of FIXED_WINDOW, SLIDING_WINDOW_LOG, "
            + "SLIDING_WINDOW_COUNTER, TOKEN_BUCKET, GCRA",
        "ratelimit.plans.pro.rules.one.enabled|no|must be true or false",
        "ratelimit.plans.pro.rules.cost.cost|9|is invalid: cost 9 is above the limit 5"})
    void anInvalidPlanSettingFailsTheDeploymentNamingTheSetting(String setting, String value, String why)
            throws Exception {
        String expected = setting + "='" + value + "' (from context-param/init-param " + setting + ") " + why;
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("ratelimit.plans.names", "pro");
        settings.put(setting, value);
        assertThat(deploymentFailure(settings)).contains(expected);
    }

    // --- overrides by rule name (ratelimit.rules.*) ----------------------------------------------------------------

    @Test
    void aRuleOverrideChangesTheLimitItsAlgorithmAndWindowAsDeclaredByName() {
        deployWith("ratelimit.rules.one.limit", "1", "ratelimit.rules.two-long.window", "2h",
                "ratelimit.rules.two-long.algorithm", "SLIDING_WINDOW_LOG");
        HttpResponse<String> first = get("/one");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "RateLimit-Policy")).as("the override's quota").isEqualTo("\"one\";q=1;w=3600");
        assertThat(get("/one").statusCode()).isEqualTo(429);
        assertThat(header(get("/two"), "RateLimit-Policy")).as("only the named rule changes")
                .isEqualTo("\"two-short\";q=2;w=3600, \"two-long\";q=4;w=7200");
    }

    @Test
    void aRuleDisabledByItsOverrideNoLongerLimits() {
        deployWith("ratelimit.rules.by-ip.enabled", "false", "ratelimit.rules.two-short.enabled", "false");
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> free = get("/ip");
            assertThat(free.statusCode()).isEqualTo(200);
            assertThat(rateLimitFields(free)).as("every limit of the endpoint is off: no fields").isEmpty();
        }
        HttpResponse<String> two = get("/two");
        assertThat(header(two, "RateLimit-Policy")).as("the other rule of /two still applies")
                .isEqualTo("\"two-long\";q=4;w=86400");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ratelimit.rules.one.limit|0|is invalid: limit must be greater than 0, was 0",
        "ratelimit.rules.one.window|soon|is invalid: window 'soon' is not a duration",
        "ratelimit.rules.one.enabled|maybe|must be true or false",
        "ratelimit.rules.cost.limit|1|is invalid: cost 2 is above the limit 1"})
    void anInvalidRuleOverrideFailsTheDeploymentNamingTheSetting(String setting, String value, String why)
            throws Exception {
        String expected = setting + "='" + value + "' (from context-param/init-param " + setting + ") " + why;
        assertThat(deploymentFailure(Map.of(setting, value))).contains(expected);
    }

    @Test
    void theApplicationsRulesResolverMayAddARuleAndADenialByItConsumesNothingFromTheOthers() {
        deployWith(APPLICATION_RULES_RESOLVER, "true");
        HttpResponse<String> first = get("/one", ContractRulesResolver.HEADER, "add");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "RateLimit-Policy")).isEqualTo("\"one\";q=3;w=3600, \"added\";q=1;w=3600");
        assertThat(header(first, "RateLimit")).as("the most restrictive").isEqualTo("\"added\";r=0;t=3600");
        HttpResponse<String> denied = get("/one", ContractRulesResolver.HEADER, "add");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).isEqualTo(problem("added", "1 per 1h", 3600, instance("/one")));
        HttpResponse<String> declared = get("/one");
        assertThat(header(declared, "RateLimit-Policy")).isEqualTo("\"one\";q=3;w=3600");
        assertThat(header(declared, "RateLimit")).as("the denial took nothing from one")
                .isEqualTo("\"one\";r=1;t=1200");
        assertThat(invocations()).isEqualTo(2);
    }

    @Test
    void anEmptyListFromTheApplicationsRulesResolverExemptsTheRequest() {
        deployWith(APPLICATION_RULES_RESOLVER, "true");
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> exempt = get("/one", ContractRulesResolver.HEADER, "exempt");
            assertThat(exempt.statusCode()).isEqualTo(200);
            assertThat(rateLimitFields(exempt)).isEmpty();
            assertThat(header(exempt, "Cache-Control")).as("left alone").isNull();
        }
        assertThat(header(get("/one"), "RateLimit")).as("nothing was counted").isEqualTo("\"one\";r=2;t=1200");
        assertThat(invocations()).isEqualTo(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"throw", "null", "twice"})
    void aFaultyRulesResolverLeavesTheDeclaredRulesInForce(String how) {
        deployWith(APPLICATION_RULES_RESOLVER, "true");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = get("/one", ContractRulesResolver.HEADER, how);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(header(ok, "RateLimit-Policy")).isEqualTo("\"one\";q=3;w=3600");
            assertThat(header(ok, "RateLimit")).isEqualTo("\"one\";r=" + (2 - i) + ";t=1200");
        }
        HttpResponse<String> denied = get("/one", ContractRulesResolver.HEADER, how);
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).isEqualTo(problem("one", "3 per 1h", 1200, instance("/one")));
    }

    @Test
    void theApplicationsRulesResolverReplacesThePlanTable() {
        deployWith(with(PRO_BY_ROLE, APPLICATION_RULES_RESOLVER, "true"));
        assertThat(header(get("/one", USER_HEADER, "bob", ROLE_HEADER, "pro"), "RateLimit-Policy"))
                .isEqualTo("\"one\";q=3;w=3600");
    }

    @Test
    void anExemptClientIsNotAskedAboutItsPlan() {
        deployWith(with(PRO_BY_ROLE, "ratelimit.exempt.roles", "internal"));
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = get("/one", USER_HEADER, "carol", ROLE_HEADER, "internal, pro");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(rateLimitFields(r)).isEmpty();
        }
    }

    // --- shadow mode ----------------------------------------------------------------------------------------------

    @Test
    void shadowModeNeverRefusesSendsHeadersWithoutRetryAfterCountsAndLogsWithoutTheKey() {
        deployWith("ratelimit.shadow", "true");
        Store store = limiter.acquire("probe", rule("probe", 1, "1h", Algorithm.FIXED_WINDOW)).store();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> allowed = get("/by-header", API_KEY_HEADER, "sk_live_0123456789");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(header(allowed, "RateLimit")).isEqualTo("\"by-header\";r=" + (1 - i) + ";t=3600");
        }

        String log = capturingStandardError(() -> {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = get("/by-header", API_KEY_HEADER, "sk_live_0123456789");
                assertThat(r.statusCode()).as("never refused").isEqualTo(200);
                assertThat(r.body()).isEqualTo("ok");
                assertThat(header(r, "RateLimit-Policy")).isEqualTo("\"by-header\";q=2;w=3600");
                assertThat(header(r, "RateLimit")).isEqualTo("\"by-header\";r=0;t=3600");
                assertThat(header(r, "X-RateLimit-Limit")).isEqualTo("2");
                assertThat(header(r, "X-RateLimit-Remaining")).isEqualTo("0");
                assertThat(header(r, "X-RateLimit-Reset")).isEqualTo("3600");
                assertThat(header(r, "Retry-After")).isNull();
                assertThat(header(r, "Cache-Control")).isEqualTo("private");
                assertThat(rateLimitFields(r)).containsExactly("ratelimit", "ratelimit-policy", "x-ratelimit-limit",
                        "x-ratelimit-remaining", "x-ratelimit-reset");
            }
        });

        assertThat(invocations()).isEqualTo(5);
        String line = "INFO dev.ratelimit.internal.http.RequestDecider - Shadow mode: " + instance("/by-header") + " "
                + store + " would have been rejected by limit 'by-header' (retry in 3600 s)";
        assertThat(log.lines().filter(l -> l.contains("Shadow mode")).map(l -> l.substring(l.indexOf("] ") + 2)))
                .as("one line per would-be refusal, after the thread name")
                .containsExactly(line, line, line);
        assertThat(log).as("the client's key is a secret").doesNotContain("sk_live");
        RateLimitRule byHeader = RateLimitRule.custom().name("by-header").limit(2).window("1h")
                .algorithm(Algorithm.FIXED_WINDOW).key(KeySource.HEADER).keyHeader(API_KEY_HEADER).build();
        assertThat(remainingAfterOneMore("header:sk_live_0123456789", byHeader)).as("counted").isEqualTo(-1L);
    }

    @Test
    void shadowModeWithLegacyHeadersOnly() {
        deployWith("ratelimit.shadow", "true", "ratelimit.headers", "LEGACY");
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = get("/one");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(Math.max(0, 2 - i)));
            assertThat(header(r, "Retry-After")).isNull();
            assertThat(header(r, "RateLimit")).isNull();
            assertThat(rateLimitFields(r)).containsExactly("x-ratelimit-limit", "x-ratelimit-remaining",
                    "x-ratelimit-reset");
        }
        assertThat(invocations()).isEqualTo(5);
    }

    // --- counting only some outcomes (countWhen) ----------------------------------------------------------------

    /**
     * {@code /failing} counts only 4xx answers (a login counting failed attempts), 2 per hour: answers of 200 never
     * count, two 401s use the limit up, and then even a request that would succeed is refused with 429 (it is checked
     * before it runs).
     */
    @Test
    void onlyResponsesThatMatchCountWhenCount() {
        deployWith();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = get("/failing");
            assertThat(ok.statusCode()).as("success %d never counts", i + 1).isEqualTo(200);
        }
        assertThat(get("/failing", "X-Respond-Status", "401").statusCode()).isEqualTo(401);
        assertThat(get("/failing", "X-Respond-Status", "401").statusCode()).isEqualTo(401);
        HttpResponse<String> refused = get("/failing");
        assertThat(refused.statusCode()).as("two failures used the limit up").isEqualTo(429);
        assertThat(header(refused, "Retry-After")).isNotNull();
        assertThat(invocations()).isEqualTo(7);
    }

    /**
     * The guarantee under concurrency (docs/operating.md): a request takes its permits when it is checked and gives
     * them back only once its response does not count, so a concurrent burst of 12 failing requests runs the endpoint
     * exactly twice (the limit) and refuses the other ten.
     */
    @Test
    void aConcurrentBurstOfFailuresRunsExactlyTheLimit() {
        deployWith();
        List<HttpResponse<String>> answers = ConcurrentBurst.run(4, 3, (thread, i) ->
                get("/failing", "X-Respond-Status", "401"));
        assertThat(answers.stream().filter(r -> r.statusCode() == 401).count()).isEqualTo(2);
        assertThat(answers.stream().filter(r -> r.statusCode() == 429).count()).isEqualTo(10);
        assertThat(invocations()).isEqualTo(2);
    }

    // --- the admin endpoint ----------------------------------------------------------------------------------------

    @Test
    void theAdminEndpointRefusesToStartWithoutARole() throws Exception {
        assertThat(deploymentFailure(Map.of(ADMIN, "true"))).contains("ratelimit.admin.role");
    }

    /**
     * The admin endpoint on {@code by-ip} (2 per hour) for the client {@code ip:127.0.0.1}: who may (401 without a
     * principal, 403 without the role), what it answers (the state without consuming; 404 problem for an unknown
     * rule), and that reset, block and refund act on the client's next requests.
     */
    @Test
    void theAdminEndpointPeeksResetsBlocksAndRefundsOneClient() {
        deployWith(ADMIN, "true", "ratelimit.admin.role", "ops");
        String client = "ip:127.0.0.1";
        assertThat(get("/ip").statusCode()).isEqualTo(200);
        assertThat(get("/ip").statusCode()).isEqualTo(200);
        assertThat(get("/ip").statusCode()).isEqualTo(429);

        String state = "/admin/ratelimit/by-ip/" + client;
        assertThat(get(state).statusCode()).as("no principal").isEqualTo(401);
        assertThat(get(state, USER_HEADER, "bob").statusCode()).as("not in the role").isEqualTo(403);
        HttpResponse<String> peek = get(state, USER_HEADER, "bob", ROLE_HEADER, "ops");
        assertThat(peek.statusCode()).isEqualTo(200);
        assertThat(peek.body()).isEqualTo("{\"limit\":2,\"remaining\":0,\"reset\":3600,\"retryAfter\":3600}");
        assertThat(get(state, USER_HEADER, "bob", ROLE_HEADER, "ops").body()).as("a look consumes nothing")
                .isEqualTo(peek.body());
        HttpResponse<String> unknown = get("/admin/ratelimit/no-such-rule/" + client, USER_HEADER, "bob",
                ROLE_HEADER, "ops");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(header(unknown, "Content-Type")).startsWith("application/problem+json");

        assertThat(request("DELETE", state, USER_HEADER, "bob", ROLE_HEADER, "ops").statusCode()).isEqualTo(204);
        assertThat(get("/ip").statusCode()).as("reset: the full limit again").isEqualTo(200);

        assertThat(request("POST", state + "/block?seconds=120", USER_HEADER, "bob", ROLE_HEADER, "ops")
                .statusCode()).isEqualTo(204);
        HttpResponse<String> blocked = get("/ip");
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(header(blocked, "Retry-After")).isEqualTo("120");
        assertThat(request("POST", state + "/block?seconds=0", USER_HEADER, "bob", ROLE_HEADER, "ops")
                .statusCode()).isEqualTo(400);

        assertThat(request("DELETE", state, USER_HEADER, "bob", ROLE_HEADER, "ops").statusCode()).isEqualTo(204);
        assertThat(get("/ip").statusCode()).isEqualTo(200);
        assertThat(get("/ip").statusCode()).isEqualTo(200);
        assertThat(request("POST", state + "/refund?permits=1", USER_HEADER, "bob", ROLE_HEADER, "ops")
                .statusCode()).isEqualTo(204);
        assertThat(get("/ip").statusCode()).as("one permit back").isEqualTo(200);
        assertThat(get("/ip").statusCode()).isEqualTo(429);
    }

    // --- the rules file: limits changed at run time -------------------------------------------------------------

    /**
     * The rules file ({@code ratelimit.rules.file}) overrides a rule by name at deployment, and a change of it applies
     * without a redeployment (checked every 50 ms here): the client keeps what it used. {@code /one} is 3 per hour;
     * the file makes it 2: two pass, the third is refused; the file then makes it 4: exactly two more pass (4 less the
     * 2 used), and {@code RateLimit-Policy} says 4. No test time passes.
     */
    @Test
    void theRulesFileChangesALimitAtRunTimeAndTheClientKeepsWhatItUsed() throws IOException {
        Path file = Files.createTempFile("rules", ".properties");
        try {
            Files.writeString(file, "# the operator's overrides\none.limit=2\n");
            deployWith("ratelimit.rules.file", file.toString(), "ratelimit.rules.file.check-interval", "50ms");
            assertThat(get("/one").statusCode()).isEqualTo(200);
            HttpResponse<String> second = get("/one");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(header(second, "RateLimit-Policy")).isEqualTo("\"one\";q=2;w=3600");
            assertThat(get("/one").statusCode()).as("2 per hour from the file").isEqualTo(429);

            Files.writeString(file, "one.limit=4\n");
            HttpResponse<String> third = untilAllowed("/one", Duration.ofSeconds(20));
            assertThat(header(third, "RateLimit-Policy")).isEqualTo("\"one\";q=4;w=3600");
            assertThat(get("/one").statusCode()).as("4 less the 2 used before: two more").isEqualTo(200);
            assertThat(get("/one").statusCode()).isEqualTo(429);
            assertThat(invocations()).isEqualTo(4);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void anInvalidRulesFileFailsTheDeploymentNamingFileAndLine() throws Exception {
        Path file = Files.createTempFile("rules", ".properties");
        try {
            Files.writeString(file, "one.limit=2\none.cost=3\n");
            assertThat(deploymentFailure(Map.of("ratelimit.rules.file", file.toString())))
                    .contains("one.cost='3' (from rules file " + file + ", line 2) is invalid: cost 3 is above the "
                            + "limit 2");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Requests {@code path} until one is allowed (a refused request takes nothing), at most for {@code patience}: for
     * a change that applies asynchronously, such as the rules file's.
     */
    private HttpResponse<String> untilAllowed(String path, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            HttpResponse<String> r = get(path);
            if (r.statusCode() == 200) {
                return r;
            }
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(System.nanoTime()).as("the change applies within %s", patience).isLessThan(deadline);
        }
    }

    // --- a limiter the binding builds from its settings, in Redis ------------------------------------------------

    @Test
    void aLimiterBuiltFromTheSettingsDecidesInTheRedisTheyNameAndSpoofedForwardingHeadersDoNotEscapeIt() {
        String prefix = "binding-contract-" + PREFIXES.incrementAndGet() + "-" + ProcessHandle.current().pid();
        deployOwnLimiter("ratelimit.redis.url", RedisServer.shared().uri(), "ratelimit.redis.key-prefix", prefix,
                "ratelimit.redis.timeout", "2s");
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = getFrom("198.51.100." + (i + 1), "/one");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(header(ok, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
        }
        HttpResponse<String> denied = get("/one", "X-Forwarded-For", "198.51.100.4", "Forwarded", "for=198.51.100.5");
        double elapsed = (System.nanoTime() - start) / 1e9;
        assertThat(denied.statusCode()).as("no trusted proxy: every request counted against the peer").isEqualTo(429);
        // Redis's own clock runs here: a permit comes back 1200 s after the first request, less the time that passed
        // on the server, which is at most what this client measured
        long retry = Long.parseLong(header(denied, "Retry-After"));
        assertThat(retry).isBetween((long) Math.max(1, Math.ceil(1200 - elapsed)), 1200L);
        assertThat(denied.body()).isEqualTo(problem("one", "3 per 1h", retry, instance("/one")));
        assertThat(invocations()).isEqualTo(3);

        String stateKey = prefix + ":{ip:127.0.0.1}:one:tb:3:3600000";
        try (RedisClient redis = RedisServer.shared().client()) {
            assertThat(redis.keys(prefix + ":*")).as("the one counter lives in Redis").containsExactly(stateKey);
            assertThat(redis.pttl(stateKey)).as("with a TTL").isPositive();
        }
    }

    @Test
    void whileRedisIsDownTheDenyPolicyAnswers503WithAProblemBody() {
        ownRedis = RedisServer.start();
        deployOwnLimiter("ratelimit.redis.url", ownRedis.uri(), "ratelimit.fallback.policy", "DENY");
        assertThat(get("/one").statusCode()).isEqualTo(200);

        ownRedis.kill();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = get("/one");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(header(r, "Content-Type")).isEqualTo("application/problem+json");
            // the breaker's wait before it probes Redis again (ratelimit.breaker.wait-in-open-state, 5 s)
            assertThat(header(r, "Retry-After")).isEqualTo("5");
            assertThat(rateLimitFields(r)).as("nothing was counted, so no quota is reported")
                    .containsExactly("retry-after");
            assertThat(header(r, "Cache-Control")).as("Retry-After alone is one client's too").isEqualTo("private");
            assertThat(r.body()).isEqualTo("{"
                    + "\"type\":\"https://iana.org/assignments/http-problem-types#temporary-reduced-capacity\","
                    + "\"title\":\"Request cannot be satisfied due to temporary server capacity constraints\","
                    + "\"status\":503,"
                    + "\"detail\":\"The rate limiter is temporarily unavailable; retry in 5 s.\","
                    + "\"instance\":\"" + instance("/one") + "\",\"violated-policies\":[\"one\"],\"retryAfter\":5}");
        }
        assertThat(invocations()).isEqualTo(1);
    }

    @Test
    void whileRedisIsDownTheInMemoryFallbackKeepsEnforcingTheLimit() {
        ownRedis = RedisServer.start();
        deployOwnLimiter("ratelimit.redis.url", ownRedis.uri());
        assertThat(header(get("/ip"), "X-RateLimit-Remaining")).isEqualTo("1");

        ownRedis.kill();
        // the fallback starts from a fresh count of its own: Redis's count is out of reach
        HttpResponse<String> first = get("/ip");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(header(get("/ip"), "X-RateLimit-Remaining")).isEqualTo("0");
        HttpResponse<String> denied = get("/ip");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.body()).startsWith("{\"type\":\"" + PROBLEM_TYPE + "\"");
        assertThat(invocations()).isEqualTo(3);
    }

    // --- OPTIONS --------------------------------------------------------------------------------------------------

    @Test
    void optionsRequestsPassUncountedAndUndecoratedByDefault() {
        deployWith();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> preflight = preflight("/one");
            assertThat(preflight.statusCode()).isEqualTo(200);
            assertThat(rateLimitFields(preflight)).isEmpty();
            assertThat(header(preflight, "Cache-Control")).as("not counted, so left alone").isNull();
        }
        HttpResponse<String> get = get("/one");
        assertThat(get.statusCode()).as("the preflights took no permit").isEqualTo(200);
        assertThat(header(get, "X-RateLimit-Remaining")).isEqualTo("2");
        assertThat(get("/one").statusCode()).isEqualTo(200);
        assertThat(get("/one").statusCode()).isEqualTo(200);
        assertThat(get("/one").statusCode()).isEqualTo(429);

        HttpResponse<String> afterDenial = preflight("/one");
        assertThat(afterDenial.statusCode()).as("a client over its limit may still ask for CORS permissions")
                .isEqualTo(200);
        assertThat(rateLimitFields(afterDenial)).isEmpty();
        assertThat(invocations()).as("four OPTIONS and three GET reached the endpoint").isEqualTo(7);
    }

    @Test
    void withCountOptionsOptionsRequestsAreCountedDecoratedAndRefusedLikeAnyMethod() {
        deployWith("ratelimit.count-options", "true");
        HttpResponse<String> first = preflight("/one");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "RateLimit")).isEqualTo("\"one\";r=2;t=1200");
        assertThat(header(first, "Cache-Control")).isEqualTo("private");
        assertThat(header(get("/one"), "X-RateLimit-Remaining")).as("GET and OPTIONS share the counter")
                .isEqualTo("1");
        assertThat(header(preflight("/one"), "X-RateLimit-Remaining")).isEqualTo("0");
        HttpResponse<String> denied = preflight("/one");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "Retry-After")).isEqualTo("1200");
        assertThat(denied.body()).isEqualTo(problem("one", "3 per 1h", 1200, instance("/one")));
        assertThat(invocations()).isEqualTo(3);
    }

    /** What slf4j-simple (which writes to the current {@code System.err}) logs while {@code action} runs. */
    private static String capturingStandardError(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }
}
