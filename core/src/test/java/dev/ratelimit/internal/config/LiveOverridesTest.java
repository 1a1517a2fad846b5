package dev.ratelimit.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ConcurrentBurst;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.RedisClient;

/**
 * The run-time overrides: the rules file (read at deployment, re-read when it changes: a bad line ignored, a bad
 * edit rejected, the last good values kept), the application's {@code replace}, the sharing between bindings, and a
 * change under concurrent load with exact admission counts on Redis and in memory.
 */
class LiveOverridesTest {

    private static final RateLimitRule FIXED = RateLimitRule.custom().name("fixed-window").limit(5).window("1h")
            .algorithm(Algorithm.FIXED_WINDOW).build();
    private static final RateLimitRule SEARCH = RateLimitRule.custom().name("search").limit(10).window("1m").build();

    @TempDir
    Path dir;

    private final Map<String, Object> attributes = new HashMap<>();
    private final ApplicationLimiter.Attributes app = new ApplicationLimiter.Attributes(attributes::get,
            attributes::put, attributes::remove, "the test application");
    private LiveOverrides live;

    @AfterEach
    void release() {
        if (live != null) {
            live.release();
        }
    }

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("rules.properties");
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private LiveOverrides start(Path file) {
        Map<String, String> params = new HashMap<>();
        if (file != null) {
            params.put(LiveOverrides.FILE, file.toString());
            params.put(LiveOverrides.FILE_CHECK_INTERVAL, "1d"); // the tests re-read it themselves
        }
        live = LiveOverrides.acquire(app, RateLimitSettings.load(null, null, params::get));
        return live;
    }

    @Test
    void theRulesFileOverridesByNameAndKeepsTheDeclaredCounter() throws IOException {
        start(file("# a comment", "fixed-window.limit = 7", "ratelimit.rules.search.window: 1h", ""));
        List<RateLimitRule> fixed = List.of(FIXED);
        List<RateLimitRule> search = List.of(SEARCH);
        live.register("GET /fixed", fixed, list -> { });
        live.register("GET /search", search, list -> { });
        assertThat(live.current(fixed).get(0).limit()).isEqualTo(7);
        assertThat(live.current(fixed).get(0).counterLimit()).as("the declared counter").isEqualTo(5);
        assertThat(live.current(search).get(0).window()).hasHours(1);
        assertThat(live.values()).containsExactly(Map.entry("fixed-window.limit", "7"),
                Map.entry("search.window", "1h"));
        assertThat(live.rules()).containsOnlyKeys("GET /fixed", "GET /search");
        assertThat(attributes.get(RuleOverrides.ATTRIBUTE)).as("published for the application").isSameAs(live);
    }

    @Test
    void withoutOverridesTheRegisteredListIsItself() {
        start(null);
        List<RateLimitRule> fixed = List.of(FIXED);
        live.register("GET /fixed", fixed, list -> { });
        assertThat(live.current(fixed)).isSameAs(fixed);
        assertThat(live.values()).isEmpty();
    }

    @Test
    void anInvalidLineFailsTheDeploymentNamingTheFileAndLine() throws IOException {
        Path f = file("fixed-window.limit=7", "fixed-window.limt=3");
        assertThatThrownBy(() -> start(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 2").hasMessageContaining("'fixed-window.limt' is not <rule>.<field>");
        Path g = file("fixed-window.limit=seven");
        assertThatThrownBy(() -> start(g)).hasMessageContaining("fixed-window.limit='seven' (from rules file " + g
                + ", line 1)");
        Path h = file("fixed-window.cost=9");
        start(h);
        assertThatThrownBy(() -> live.register("GET /fixed", List.of(FIXED), list -> { }))
                .as("a cost above the endpoint's limit fails its deployment")
                .hasMessageContaining("fixed-window.cost='9'").hasMessageContaining("GET /fixed");
    }

    @Test
    void aMissingRulesFileFailsTheDeployment() {
        Path missing = dir.resolve("nowhere.properties");
        assertThatThrownBy(() -> start(missing)).hasMessageContaining("ratelimit.rules.file='" + missing + "'");
    }

    @Test
    void anEditIsAppliedLineByLineAndABadLineKeepsItsLastGoodValue() throws IOException {
        Path f = file("fixed-window.limit=7", "search.limit=20");
        start(f);
        List<RateLimitRule> fixed = List.of(FIXED);
        List<RateLimitRule> search = List.of(SEARCH);
        live.register("GET /fixed", fixed, list -> { });
        live.register("GET /search", search, list -> { });

        file("fixed-window.limit=2", "search.limit=twenty");
        reread();
        assertThat(live.current(fixed).get(0).limit()).as("the good line applies").isEqualTo(2);
        assertThat(live.current(search).get(0).limit()).as("the bad line keeps the last good value").isEqualTo(20);

        file("fixed-window.limit=3", "this is no line at all");
        reread();
        assertThat(live.current(fixed).get(0).limit()).isEqualTo(3);
        assertThat(live.current(search)).as("its line is gone: the declared rule").isSameAs(search);

        file("fixed-window.cost=4"); // the declared limit is 5: valid
        reread();
        assertThat(live.current(fixed).get(0).cost()).isEqualTo(4);
        file("fixed-window.cost=6"); // above the limit of 5: a bad line, the last good cost stays
        reread();
        assertThat(live.current(fixed).get(0).cost()).isEqualTo(4);
    }

    @Test
    void anEditWhoseValuesTogetherAreInvalidIsRejectedAsAWhole() throws IOException {
        Path f = file("fixed-window.limit=7");
        start(f);
        List<RateLimitRule> fixed = List.of(FIXED);
        live.register("GET /fixed", fixed, list -> { });
        // each line alone is fine for the declared 5 per hour; together the cost exceeds the limit
        file("fixed-window.limit=2", "fixed-window.cost=4");
        reread();
        assertThat(live.current(fixed).get(0).limit()).as("the last good rules stay").isEqualTo(7);
        assertThat(live.current(fixed).get(0).cost()).isEqualTo(1);
        // the binding's own checks (e.g. the plan table) reject an edit too
        List<RateLimitRule> checked = List.of(SEARCH);
        live.register("GET /search", checked, list -> {
            if (list.get(0).limit() > 100) {
                throw new IllegalArgumentException("the plan's cost is above the limit");
            }
        });
        file("search.limit=1000");
        reread();
        assertThat(live.current(checked)).isSameAs(checked);
        file("search.limit=50");
        reread();
        assertThat(live.current(checked).get(0).limit()).isEqualTo(50);
    }

    @Test
    void theApplicationReplacesAllOrNothingAboveTheFile() throws IOException {
        start(file("fixed-window.limit=7"));
        List<RateLimitRule> fixed = List.of(FIXED);
        live.register("GET /fixed", fixed, list -> { });
        live.replace(Map.of("fixed-window.limit", "3", "fixed-window.window", "2h"));
        assertThat(live.current(fixed).get(0).limit()).as("the application's value beats the file's").isEqualTo(3);
        assertThatThrownBy(() -> live.replace(Map.of("fixed-window.limit", "4", "fixed-window.cost", "5")))
                .hasMessageContaining("GET /fixed");
        assertThatThrownBy(() -> live.replace(Map.of("fixed-window.limit", "-1")))
                .hasMessageContaining("fixed-window.limit='-1' (from RuleOverrides.replace)");
        assertThatThrownBy(() -> live.replace(Map.of("fixed-window", "1"))).hasMessageContaining("is not <rule>");
        assertThat(live.current(fixed).get(0).limit()).as("nothing changed").isEqualTo(3);
        live.replace(Map.of("fixed-window.enabled", "false"));
        assertThat(live.current(fixed)).as("disabled: no rule").isEmpty();
        assertThat(live.rules().get("GET /fixed")).isEmpty();
        live.replace(Map.of());
        assertThat(live.current(fixed).get(0).limit()).as("back to the file's").isEqualTo(7);
    }

    @Test
    void theBindingsOfOneApplicationShareOneAndTheLastReleaseRemovesIt() {
        LiveOverrides first = start(null);
        LiveOverrides second = LiveOverrides.acquire(app, RateLimitSettings.load(null, null, null));
        assertThat(second).isSameAs(first);
        second.release();
        assertThat(attributes).containsKey(RuleOverrides.ATTRIBUTE);
        first.release();
        live = null;
        assertThat(attributes).doesNotContainKey(RuleOverrides.ATTRIBUTE);
    }

    /**
     * A change under concurrent load: 4 threads send 40 requests under 5 per hour (a fixed window that no test time
     * leaves): exactly 5 pass; then the file raises the limit to 12 and another 40 requests get exactly 7 more; then
     * it lowers the limit to 3: none passes (12 used). On Redis and in memory.
     */
    @ParameterizedTest
    @ValueSource(strings = {"memory", "redis"})
    void aChangeUnderConcurrentLoadKeepsExactCounts(String store) throws IOException {
        ManualClock clock = new ManualClock();
        RedisClient client = store.equals("redis") ? RedisServer.shared().client() : null;
        RateLimiter limiter = client == null ? InMemoryRateLimiter.custom().timeSource(clock).build()
                : RedisRateLimiter.custom().client(client).timeSource(clock).keyPrefix("live-" + UUID.randomUUID())
                        .build();
        try {
            Path f = file("fixed-window.limit=5");
            start(f);
            List<RateLimitRule> fixed = List.of(FIXED);
            live.register("GET /fixed", fixed, list -> { });
            assertThat(burst(limiter, fixed)).isEqualTo(5);
            file("fixed-window.limit=12");
            reread();
            assertThat(burst(limiter, fixed)).as("the client keeps its 5: 7 more").isEqualTo(7);
            file("fixed-window.limit=3");
            reread();
            assertThat(burst(limiter, fixed)).isZero();
            file("fixed-window.limit=15", "fixed-window.window=2h");
            reread();
            assertThat(burst(limiter, fixed)).as("a longer window: the 12 used count in it").isEqualTo(3);
        } finally {
            limiter.close();
            if (client != null) {
                client.close();
            }
        }
    }

    private int burst(RateLimiter limiter, List<RateLimitRule> endpoint) {
        AtomicInteger allowed = new AtomicInteger();
        ConcurrentBurst.run(4, 10, (thread, i) -> {
            Decision d = limiter.acquire("client", live.current(endpoint));
            if (d.allowed()) {
                allowed.incrementAndGet();
            }
            return d;
        });
        return allowed.get();
    }

    /** Two checks, as the watcher makes them one interval apart: a changed file applies once read twice alike. */
    private void reread() {
        live.checkFile();
        live.checkFile();
    }

    @Test
    void aChangeAppliesOnlyOnceTwoChecksReadTheSameContent() throws IOException {
        Path f = file("fixed-window.limit=7");
        start(f);
        List<RateLimitRule> fixed = List.of(FIXED);
        live.register("GET /fixed", fixed, list -> { });
        file(""); // an editor truncated the file, and has not written it yet
        live.checkFile();
        assertThat(live.current(fixed).get(0).limit()).as("not applied after one check").isEqualTo(7);
        file("fixed-window.limit=2");
        live.checkFile();
        assertThat(live.current(fixed).get(0).limit()).as("another content: not yet").isEqualTo(7);
        live.checkFile();
        assertThat(live.current(fixed).get(0).limit()).as("read twice alike: applied").isEqualTo(2);
    }

    @Test
    void aRulesFileThatDisappearsLeavesTheRulesAsTheyAreUntilItIsBack() throws IOException {
        Path f = file("fixed-window.limit=7");
        start(f);
        List<RateLimitRule> fixed = List.of(FIXED);
        live.register("GET /fixed", fixed, list -> { });
        Files.delete(f);
        reread();
        assertThat(live.current(fixed).get(0).limit()).as("gone: the last rules stay").isEqualTo(7);
        file("fixed-window.limit=3");
        reread();
        assertThat(live.current(fixed).get(0).limit()).as("back: read again").isEqualTo(3);
    }
}
