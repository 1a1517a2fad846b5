package dev.ratelimit.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.memory.InMemoryRateLimiter;
import dev.ratelimit.metrics.RateLimitMetrics;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.Property;
import dev.ratelimit.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.greenbytes.http.sfv.ByteSequenceItem;
import org.greenbytes.http.sfv.IntegerItem;
import org.greenbytes.http.sfv.Item;
import org.greenbytes.http.sfv.ListElement;
import org.greenbytes.http.sfv.OuterList;
import org.greenbytes.http.sfv.Parameters;
import org.greenbytes.http.sfv.Parser;
import org.greenbytes.http.sfv.StringItem;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: every header the request path emits, parsed by an independent RFC 9651 (Structured Field Values) parser
 * (greenbytes' {@code structured-fields}, not our formatter), over random request sequences of all five algorithms,
 * one to three rules (several client keys), costs above 1, sub-second and non-whole-second windows, denials, shadow
 * mode and partition keys, in memory and on Redis:
 * <ul>
 *   <li>{@code RateLimit-Policy} is a List of one String item per rule, named like it, with Integer {@code q >= 1},
 *       Integer {@code w >= 1} when present (only when the rate {@code q/w} is exactly the rule's), a Byte Sequence
 *       {@code pk} of 16 bytes when partition keys are on, and no other parameter ({@code qu} is never sent);</li>
 *   <li>{@code RateLimit} is a List of one String item, the reported rule, with Integer {@code r} and {@code t} (and
 *       the same {@code pk} as that rule's policy item);</li>
 *   <li>a refused response has {@code Retry-After} (an Integer) and {@code t} equal to it (so never later); an
 *       allowed one has none; {@code t} is exactly the time until more than {@code r} permits are available, rounded
 *       up ({@link RuleOutcome#nextMicros()}), or the window with the whole quota left;</li>
 *   <li>the {@code X-RateLimit-*} fields are Integers; {@code X-RateLimit-Reset} stays the time until full.</li>
 * </ul>
 */
class RateLimitFieldsConformanceTest {

    private static final long S = 1_000_000L;
    private static final String[] WINDOWS = {"1ms", "250ms", "500ms", "700ms", "1s", "1500ms", "1250ms", "10s", "1m"};

    /** One scenario: rules (with their key sources), modes, and steps (time advance, client). */
    record Scenario(List<RateLimitRule> rules, boolean shadow, boolean pk, boolean redis, List<long[]> steps) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("rules ").append(rules).append(shadow ? ", shadow" : "")
                    .append(pk ? ", pk" : "").append(redis ? ", redis" : ", memory").append("\nsteps");
            for (long[] s : steps) {
                sb.append(" +").append(s[0]).append("µs/c").append(s[1]);
            }
            return sb.toString();
        }
    }

    private static Scenario generate(Random r) {
        int n = 1 + r.nextInt(3);
        List<RateLimitRule> rules = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            Algorithm a = Algorithm.values()[r.nextInt(Algorithm.values().length)];
            long limit = r.nextInt(4) == 0 ? 1 + r.nextInt(1_000) : 1 + r.nextInt(6);
            String window = WINDOWS[r.nextInt(WINDOWS.length)];
            long cost = r.nextInt(3) == 0 ? 1 + r.nextInt((int) Math.min(limit, 4)) : 1;
            String name = "r" + i + "-" + a.name().toLowerCase(java.util.Locale.ROOT);
            names.add(name);
            RateLimitRule.Builder b = RateLimitRule.custom().name(name).algorithm(a).limit(limit).window(window)
                    .cost((int) cost);
            if (r.nextInt(3) == 0) {
                b.key(KeySource.HEADER).keyHeader("X-Api-Key");
            }
            rules.add(b.build());
        }
        List<long[]> steps = new ArrayList<>();
        int count = 5 + r.nextInt(40);
        for (int i = 0; i < count; i++) {
            long dt;
            switch (r.nextInt(5)) {
                case 0: dt = 0; break;
                case 1: dt = r.nextInt(1_000); break;
                case 2: dt = r.nextInt(300_000); break;
                case 3: dt = r.nextInt(3) * S; break;
                default: dt = (long) (r.nextDouble() * 20 * S); break;
            }
            steps.add(new long[] {dt, r.nextInt(3)});
        }
        return new Scenario(rules, r.nextInt(4) == 0, r.nextBoolean(), r.nextInt(4) == 0, steps);
    }

    private static List<Scenario> shrink(Scenario s) {
        List<Scenario> out = new ArrayList<>();
        for (List<long[]> steps : Property.shrinkList(s.steps(), step -> List.of())) {
            out.add(new Scenario(s.rules(), s.shadow(), s.pk(), s.redis(), steps));
        }
        if (s.rules().size() > 1) {
            for (int i = 0; i < s.rules().size(); i++) {
                List<RateLimitRule> fewer = new ArrayList<>(s.rules());
                fewer.remove(i);
                out.add(new Scenario(fewer, s.shadow(), s.pk(), s.redis(), s.steps()));
            }
        }
        return out;
    }

    @Test
    void everyEmittedFieldParsesAsRfc9651AndMeansWhatTheDraftSays() {
        int[] stats = new int[4]; // responses, refused, shadow-denied, with pk
        new Property<>("RateLimit fields conformance", 19L, 400, RateLimitFieldsConformanceTest::generate,
                RateLimitFieldsConformanceTest::shrink, Scenario::toString)
                .shrinkBudget(300, 30)
                .check(s -> run(s, stats));
        System.out.printf("RateLimitFieldsConformanceTest: %,d responses parsed (%,d refused, %,d shadow-denied, %,d"
                + " with pk)%n", stats[0], stats[1], stats[2], stats[3]);
        assertThat(stats[1]).isPositive();
        assertThat(stats[2]).isPositive();
        assertThat(stats[3]).isPositive();
    }

    private static void run(Scenario s, int[] stats) {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = s.redis()
                ? RedisRateLimiter.custom().uri(RedisServer.shared().uri()).timeout(Duration.ofSeconds(2))
                        .keyPrefix("conformance-" + UUID.randomUUID()).timeSource(clock).build()
                : InMemoryRateLimiter.custom().timeSource(clock).build();
        PartitionKeys keys = s.pk() ? PartitionKeys.withSecret("a partition-key secret for tests") : null;
        RequestDecider decider = new RequestDecider(limiter, RequestKeys.ofDefaults(), HeaderFormat.of(HeaderStyle.BOTH), s.shadow(),
                RateLimitMetrics.none(), keys);
        try {
            for (long[] step : s.steps()) {
                clock.advanceMicros(step[0]);
                FakeRequest request = FakeRequest.from("203.0.113." + step[1]).header("X-Api-Key", "key-" + step[1]);
                RequestDecider.Verdict v = decider.check(s.rules(), request, null, null, "/c");
                check(s, v, keys, request, stats);
            }
        } finally {
            try {
                limiter.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void check(Scenario s, RequestDecider.Verdict v, PartitionKeys keys, FakeRequest request,
            int[] stats) {
        stats[0]++;
        Map<String, String> h = new HashMap<>();
        for (RateLimitHeaders.Header header : v.headers()) {
            assertThat(h.put(header.name(), header.value())).as("%s sent once", header.name()).isNull();
        }
        assertThat(h).containsKeys("RateLimit-Policy", "RateLimit", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                "X-RateLimit-Reset");

        // RateLimit-Policy: one String item per rule
        List<ListElement<? extends Object>> policies = list(h.get("RateLimit-Policy"));
        assertThat(policies).hasSize(s.rules().size());
        Map<String, String> pkByName = new HashMap<>();
        for (int i = 0; i < policies.size(); i++) {
            RateLimitRule rule = s.rules().get(i);
            assertThat(policies.get(i)).as("a policy is a String item").isInstanceOf(StringItem.class);
            StringItem item = (StringItem) policies.get(i);
            assertThat(item.get()).isEqualTo(rule.name());
            Parameters p = item.getParams();
            assertThat(p.keySet()).as("no qu, nothing unknown").isSubsetOf("q", "w", "pk").contains("q");
            long q = integer(p, "q");
            if (p.containsKey("w")) {
                long w = integer(p, "w");
                assertThat(w).isPositive();
                // the advertised rate is exactly the rule's: q / w = limit / window
                assertThat(java.math.BigInteger.valueOf(q).multiply(java.math.BigInteger.valueOf(rule.windowMicros())))
                        .isEqualTo(java.math.BigInteger.valueOf(rule.limit()).multiply(
                                java.math.BigInteger.valueOf(w * S)));
            } else {
                assertThat(q).isEqualTo(rule.limit());
                assertThat(rule.windowMicros() % S).as("only a window that is not whole seconds goes without w")
                        .isNotZero();
            }
            pkByName.put(rule.name(), pk(p, s, keys, rule, request));
        }

        // RateLimit: one String item, the reported rule
        List<ListElement<? extends Object>> limits = list(h.get("RateLimit"));
        assertThat(limits).hasSize(1);
        assertThat(limits.get(0)).isInstanceOf(StringItem.class);
        StringItem limit = (StringItem) limits.get(0);
        RuleOutcome reported = v.decision().reported();
        assertThat(limit.get()).isEqualTo(reported.rule().name());
        Parameters p = limit.getParams();
        assertThat(p.keySet()).isSubsetOf("r", "t", "pk").contains("r", "t");
        long r = integer(p, "r");
        long t = integer(p, "t");
        assertThat(r).isEqualTo(reported.remaining()).isNotNegative();
        assertThat(pk(p, s, keys, reported.rule(), request)).isEqualTo(pkByName.get(reported.rule().name()));

        // legacy fields: Integers; the reset is still the time until full
        assertThat(integer(h.get("X-RateLimit-Limit"))).isEqualTo(reported.rule().limit());
        assertThat(integer(h.get("X-RateLimit-Remaining"))).isEqualTo(r);
        assertThat(integer(h.get("X-RateLimit-Reset"))).isEqualTo(ceil(reported.resetMicros()));

        // t: the effective window
        if (v.reject()) {
            stats[1]++;
            long retryAfter = integer(h.get("Retry-After"));
            long decisionRetry = v.decision().retryAfter().toNanos() / 1_000;
            assertThat(retryAfter).isPositive().isEqualTo(Math.max(1, ceil(decisionRetry)));
            assertThat(t).as("t is the retry-after: Retry-After is not earlier than the window's end")
                    .isEqualTo(retryAfter);
        } else {
            assertThat(h).doesNotContainKey("Retry-After");
            if (!v.decision().allowed()) {
                stats[2]++;
                assertThat(t).isEqualTo(Math.max(1, ceil(reported.retryMicros())));
            } else if (r >= reported.rule().limit()) {
                assertThat(t).isEqualTo(ceil(reported.rule().windowMicros()));
            } else {
                assertThat(reported.nextMicros()).as("more than r comes later, never now").isPositive();
                assertThat(t).isEqualTo(ceil(reported.nextMicros())).isPositive();
                assertThat(reported.nextMicros()).as("more comes no later than the full limit")
                        .isLessThanOrEqualTo(reported.resetMicros());
            }
        }
        if (s.pk()) {
            stats[3]++;
        }
    }

    /** The {@code pk} of an item: absent without partition keys, else the rule's client key hashed, 16 bytes. */
    private static String pk(Parameters p, Scenario s, PartitionKeys keys, RateLimitRule rule, FakeRequest request) {
        if (!s.pk()) {
            assertThat(p).doesNotContainKey("pk");
            return null;
        }
        Item<? extends Object> pk = p.get("pk");
        assertThat(pk).as("pk is a Byte Sequence").isInstanceOf(ByteSequenceItem.class);
        assertThat(((ByteSequenceItem) pk).get().remaining()).isEqualTo(PartitionKeys.BYTES);
        String clientKey = RequestKeys.ofDefaults().keyFor(rule, request, null);
        String sent = pk.serialize();
        assertThat(sent).isEqualTo(keys.of(clientKey)).doesNotContain(clientKey);
        return sent;
    }

    private static List<ListElement<? extends Object>> list(String field) {
        OuterList parsed = Parser.parseList(field);
        return parsed.get();
    }

    private static long integer(Parameters p, String name) {
        Item<? extends Object> item = p.get(name);
        assertThat(item).as("%s is an Integer", name).isInstanceOf(IntegerItem.class);
        return ((IntegerItem) item).getAsLong();
    }

    private static long integer(String field) {
        Item<? extends Object> item = Parser.parseItem(field);
        assertThat(item).isInstanceOf(IntegerItem.class);
        assertThat(item.getParams()).isEmpty();
        return ((IntegerItem) item).getAsLong();
    }

    private static long ceil(long micros) {
        return micros / S + (micros % S == 0 ? 0 : 1);
    }

    // --- the issue's own examples ---

    /** A token bucket of 5 per 10 s: the sixth request at once waits 2 s, and t says so (it said 10). */
    @Test
    void aDeniedTokenBucketsTIsItsRetryAfter() {
        Map<String, String> h = last(Algorithm.TOKEN_BUCKET, 5, "10s", 6, 0);
        assertThat(h).containsEntry("Retry-After", "2").containsEntry("RateLimit", "\"b\";r=0;t=2")
                .containsEntry("X-RateLimit-Reset", "10");
    }

    /** 3 per minute, used up, 20 s later one token is back and taken: the next one comes in 20 s (it said 60). */
    @Test
    void anAllowedRequestWithNothingLeftGetsTheTimeUntilTheNextPermit() {
        Map<String, String> h = last(Algorithm.TOKEN_BUCKET, 3, "1m", 3, 20 * S);
        assertThat(h).containsEntry("RateLimit", "\"b\";r=0;t=20").containsEntry("X-RateLimit-Reset", "60")
                .doesNotContainKey("Retry-After");
    }

    /** The sliding log: more than r is back when the oldest counted entry expires, not when the newest does. */
    @Test
    void theSlidingLogsTIsTheOldestEntrysExpiry() {
        ManualClock clock = new ManualClock();
        RequestDecider d = decider(clock);
        RateLimitRule rule = RateLimitRule.custom().name("log").algorithm(Algorithm.SLIDING_WINDOW_LOG).limit(3)
                .window("1m").build();
        FakeRequest c = FakeRequest.from("203.0.113.1");
        d.check(List.of(rule), c, null, null, "/");
        clock.advance(Duration.ofSeconds(45));
        assertThat(d.check(List.of(rule), c, null, null, "/").headers())
                .contains(new RateLimitHeaders.Header("RateLimit", "\"log\";r=1;t=15"),
                        new RateLimitHeaders.Header("X-RateLimit-Reset", "60"));
    }

    /** Fixed window: the window's end, whatever is left; a full quota: the window. */
    @Test
    void theFixedWindowsTIsTheWindowsEnd() {
        ManualClock clock = new ManualClock();
        RequestDecider d = decider(clock);
        RateLimitRule rule = RateLimitRule.custom().name("fw").algorithm(Algorithm.FIXED_WINDOW).limit(4).window("10s")
                .build();
        FakeRequest c = FakeRequest.from("203.0.113.1");
        RequestDecider.Verdict first = d.check(List.of(rule), c, null, null, "/");
        String end = first.headers().get(4).value(); // X-RateLimit-Reset: the window's end, when it is full again
        assertThat(first.headers()).contains(new RateLimitHeaders.Header("RateLimit", "\"fw\";r=3;t=" + end));
        clock.advance(Duration.ofSeconds(Long.parseLong(end)).plusMillis(1));
        // a new window: its whole length
        assertThat(d.check(List.of(rule), c, null, null, "/").headers())
                .contains(new RateLimitHeaders.Header("RateLimit", "\"fw\";r=3;t=10"));
    }

    /** Sub-second windows: 5 per 500 ms is advertised as 10 per second, 3 per 700 ms without a window. */
    @Test
    void subSecondWindowsAreAdvertisedPerSecondWhenExact() {
        ManualClock clock = new ManualClock();
        RequestDecider d = decider(clock);
        RateLimitRule half = RateLimitRule.custom().name("half").limit(5).window("500ms").build();
        RateLimitRule odd = RateLimitRule.custom().name("odd").limit(3).window("700ms").build();
        assertThat(d.check(List.of(half, odd), FakeRequest.from("203.0.113.1"), null, null, "/").headers())
                .contains(new RateLimitHeaders.Header("RateLimit-Policy", "\"half\";q=10;w=1, \"odd\";q=3"));
    }

    private static RequestDecider decider(ManualClock clock) {
        return new RequestDecider(InMemoryRateLimiter.custom().timeSource(clock).build(), RequestKeys.ofDefaults(),
                HeaderFormat.of(HeaderStyle.BOTH), false, RateLimitMetrics.none(), null);
    }

    /** The headers of the last of {@code first} requests at once and one more after {@code thenMicros}. */
    private static Map<String, String> last(Algorithm a, long limit, String window, int first, long thenMicros) {
        ManualClock clock = new ManualClock();
        RequestDecider d = decider(clock);
        RateLimitRule rule = RateLimitRule.custom().name("b").algorithm(a).limit(limit).window(window).build();
        FakeRequest c = FakeRequest.from("203.0.113.1");
        RequestDecider.Verdict v = null;
        for (int i = 0; i < first; i++) {
            v = d.check(List.of(rule), c, null, null, "/");
        }
        if (thenMicros > 0) {
            clock.advanceMicros(thenMicros);
            v = d.check(List.of(rule), c, null, null, "/");
        }
        Map<String, String> h = new HashMap<>();
        for (RateLimitHeaders.Header header : v.headers()) {
            h.put(header.name(), header.value());
        }
        return h;
    }
}
