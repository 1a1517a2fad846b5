package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.internal.ClientKeys;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.testing.ManualClock;
import dev.ratelimit.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.SafeEncoder;

/**
 * What the Redis limiter writes: every key expires, no later than its state needs; long or odd client keys become
 * short keys; all keys of one call share a hash tag; user input is data, never Lua code; and the server clock is used
 * when no time source is set.
 */
class RedisKeysTest {

    private static final long WINDOW_MICROS = 10_000_000L;

    private static RedisServer redis;
    private static RedisClient client;

    @BeforeAll
    static void connect() {
        redis = RedisServer.shared();
        client = redis.client();
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    private static String uniquePrefix() {
        return "keys-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A clock 3.3 s into a 10 s calendar window. */
    private static ManualClock clockInsideAWindow() {
        ManualClock clock = new ManualClock();
        clock.set(clock.nowMicros() - clock.nowMicros() % WINDOW_MICROS + 3_300_000L);
        return clock;
    }

    /**
     * One permit of a 4-per-10-s rule at 3.3 s into a window, then one more a second later: the key's TTL is, to the
     * millisecond, what the state needs (the script's own figure), and within the bound that algorithm allows:
     * <ul>
     *   <li>fixed window: until the window ends (6.7 s, then 5.7 s);
     *   <li>sliding log: one window, W (the newest entry counts for W);
     *   <li>sliding counter: until the end of the next window, at most 2 W (16.7 s, then 15.7 s);
     *   <li>token bucket and GCRA: until the bucket is full again (1 token = 2.5 s; then 1.6 tokens after a 0.4-token
     *       refill, or a theoretical arrival time 4 s ahead: 4 s).
     * </ul>
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void everyKeyExpiresNoLaterThanItsStateNeeds(Algorithm algorithm) {
        ManualClock clock = clockInsideAWindow();
        String prefix = uniquePrefix();
        RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).keyPrefix(prefix).timeSource(clock).build();
        RateLimitRule rule = RateLimitRule.custom().name("ttl").limit(4).window("10s").algorithm(algorithm).build();
        String key = limiter.stateKey("ttl-client", rule);

        long[] expectedMillis;
        long[] boundMillis;
        switch (algorithm) {
            case FIXED_WINDOW:
                expectedMillis = new long[] {6_700, 5_700};
                boundMillis = expectedMillis; // the time to the end of the window
                break;
            case SLIDING_WINDOW_LOG:
                expectedMillis = new long[] {10_000, 10_000};
                boundMillis = new long[] {10_000, 10_000}; // W
                break;
            case SLIDING_WINDOW_COUNTER:
                expectedMillis = new long[] {16_700, 15_700};
                boundMillis = new long[] {20_000, 20_000}; // 2 W
                break;
            default: // TOKEN_BUCKET, GCRA: the time to a full refill
                expectedMillis = new long[] {2_500, 4_000};
                boundMillis = expectedMillis;
                break;
        }
        for (int call = 0; call < 2; call++) {
            long before = serverMillis();
            Decision decision = limiter.acquire("ttl-client", rule);
            long pttl = client.pttl(key);
            long after = serverMillis();
            assertThat(decision.allowed()).isTrue();
            assertThat(pttl).as("PTTL of %s after call %d", key, call + 1).isPositive()
                    .isLessThanOrEqualTo(boundMillis[call]);
            // the TTL set at some server instant in [before, after] and read at a later one in that range
            assertThat(expectedMillis[call]).as("TTL set on %s by call %d (read %d ms)", key, call + 1, pttl)
                    .isBetween(pttl, pttl + (after - before));
            assertThat(decision.resetAfter().toMillis()).isLessThanOrEqualTo(boundMillis[call]);
            clock.advanceMicros(1_000_000L);
        }
        assertAllKeysExpire(prefix);
    }

    /**
     * One call with a rule of each algorithm: five keys, all with a TTL, with the configured prefix and a hash tag
     * holding the client key, all in one Redis Cluster slot. A denied call writes no key for its other rules.
     */
    @Test
    void keysOfOneCallShareThePrefixAndOneHashTagAndAllExpire() {
        String prefix = uniquePrefix();
        RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).keyPrefix(prefix)
                .timeSource(clockInsideAWindow()).build();
        List<RateLimitRule> rules = new ArrayList<>();
        for (Algorithm a : Algorithm.values()) {
            rules.add(RateLimitRule.custom().name("multi-" + a.ordinal()).limit(2).window("10s").algorithm(a)
                    .build());
        }
        assertThat(limiter.acquire("user-42", rules).allowed()).isTrue();
        assertThat(limiter.acquire("user-42", rules).allowed()).isTrue();

        Set<String> expected = rules.stream().map(r -> limiter.stateKey("user-42", r))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(keysWithPrefix(prefix)).isEqualTo(expected);
        int slot = JedisClusterCRC16.getSlot(ClientKeys.normalize("user-42"));
        for (String key : expected) {
            assertThat(key).startsWith(prefix + ":{user-42}:");
            assertThat(JedisClusterCRC16.getSlot(key)).as("slot of %s", key).isEqualTo(slot);
            assertThat(client.pttl(key)).as("PTTL of %s", key).isPositive();
        }

        // the 2-per-window rules are spent: a call adding a new rule is denied and creates nothing for it
        RateLimitRule fresh = RateLimitRule.custom().name("fresh").limit(100).window("10s").build();
        List<RateLimitRule> withFresh = new ArrayList<>(rules);
        withFresh.add(fresh);
        Decision denied = limiter.acquire("user-42", withFresh);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.limits().get(rules.size()).allowed()).isTrue();
        assertThat(client.exists(limiter.stateKey("user-42", fresh))).isFalse();
        assertThat(keysWithPrefix(prefix)).isEqualTo(expected);
        assertAllKeysExpire(prefix);
    }

    /**
     * A 10 KB key and a key with braces, a newline and non-ASCII characters become Redis keys under 120 bytes that
     * hold none of the raw input, cost under 300 bytes each (token bucket), and each still gets its own limit: two
     * 10 KB keys differing in their last character do not share a counter.
     */
    @Test
    void longAndOddKeysAreBoundedAndStillLimitedIndependently() {
        String prefix = uniquePrefix();
        RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).keyPrefix(prefix)
                .timeSource(new ManualClock()).build();
        RateLimitRule rule = RateLimitRule.custom().name("odd").limit(3).window("1m")
                .algorithm(Algorithm.TOKEN_BUCKET).build();
        char[] tenKb = new char[10 * 1024];
        Arrays.fill(tenKb, 'x');
        String longA = new String(tenKb);
        String longB = longA.substring(0, longA.length() - 1) + "y";
        String odd = "{tag}\nline two: é, 漢字, 🙂 }{";
        List<String> clientKeys = List.of(longA, longB, odd);

        for (String clientKey : clientKeys) {
            for (int i = 2; i >= 0; i--) {
                assertThat(limiter.acquire(clientKey, rule).remaining()).isEqualTo(i);
            }
            assertThat(limiter.acquire(clientKey, rule).allowed()).isFalse();
        }

        Set<String> keys = keysWithPrefix(prefix);
        assertThat(keys).hasSize(3).isEqualTo(clientKeys.stream().map(k -> limiter.stateKey(k, rule))
                .collect(Collectors.toSet()));
        for (String key : keys) {
            assertThat(key.getBytes(StandardCharsets.UTF_8).length).as("bytes of %s", key).isLessThan(120);
            assertThat(key).doesNotContain("xxxxxxxx", "\n", "tag", "é").matches("[\\x21-\\x7e]+");
            assertThat(key.chars().filter(c -> c == '{').count()).isOne();
            assertThat(key.chars().filter(c -> c == '}').count()).isOne();
            assertThat(client.memoryUsage(key, 0)).as("MEMORY USAGE of %s", key).isLessThan(300L);
            assertThat(client.pttl(key)).isPositive();
        }
    }

    /** Client keys and rule names that look like Lua are only data: nothing runs, other data survives. */
    @Test
    void userInputNeverBecomesLuaCode() {
        String prefix = uniquePrefix();
        String canary = prefix + "-canary";
        client.set(canary, "alive");
        RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).keyPrefix(prefix)
                .timeSource(new ManualClock()).build();
        List<String> hostileKeys = List.of("'); redis.call('FLUSHALL') --", "\"]]..redis.call('FLUSHALL')..[[\"",
                "x');redis.call('FLUSHALL');--");
        for (Algorithm algorithm : Algorithm.values()) {
            RateLimitRule rule = RateLimitRule.custom().name("n');redis.call('FLUSHALL');--").limit(2).window("1m")
                    .algorithm(algorithm).build();
            for (String key : hostileKeys) {
                assertThat(limiter.acquire(key, rule).allowed()).isTrue();
                assertThat(limiter.acquire(key, rule).allowed()).isTrue();
                assertThat(limiter.acquire(key, rule).allowed()).as("%s limited on its own", key).isFalse();
                assertThat(client.exists(limiter.stateKey(key, rule))).isTrue();
            }
        }
        assertThat(client.get(canary)).isEqualTo("alive");
        assertThat(keysWithPrefix(prefix + ":")).hasSize(hostileKeys.size() * Algorithm.values().length);
        client.del(canary);
    }

    /**
     * Without a time source the script reads Redis's TIME: two instances agree on one key, and the reset times match
     * a 10 s window on the server's clock (a fixed window ends on a multiple of 10 s of server time).
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void withoutATimeSourceTheServerClockDecides(Algorithm algorithm) {
        String prefix = uniquePrefix();
        RedisRateLimiter first = RedisRateLimiter.custom().client(client).keyPrefix(prefix).build();
        RedisRateLimiter second = RedisRateLimiter.custom().client(client).keyPrefix(prefix).build();
        RateLimitRule rule = RateLimitRule.custom().name("server").limit(4).window("10s").algorithm(algorithm)
                .build();

        long before = serverMicros();
        RuleOutcome state = first.acquire("server-client", rule).limits().get(0);
        long after = serverMicros();
        assertThat(state.allowed()).isTrue();
        assertThat(state.remaining()).isEqualTo(3);
        long reset = state.resetMicros();
        switch (algorithm) {
            case FIXED_WINDOW:
                assertThat(reset).isBetween(1L, WINDOW_MICROS);
                if (before / WINDOW_MICROS == after / WINDOW_MICROS) {
                    long windowEnd = (before / WINDOW_MICROS + 1) * WINDOW_MICROS;
                    assertThat(reset).isBetween(windowEnd - after, windowEnd - before);
                }
                break;
            case SLIDING_WINDOW_LOG:
                assertThat(reset).isEqualTo(WINDOW_MICROS);
                break;
            case SLIDING_WINDOW_COUNTER:
                assertThat(reset).isBetween(WINDOW_MICROS + 1, 2 * WINDOW_MICROS);
                if (before / WINDOW_MICROS == after / WINDOW_MICROS) {
                    long nextWindowEnd = (before / WINDOW_MICROS + 2) * WINDOW_MICROS;
                    assertThat(reset).isBetween(nextWindowEnd - after, nextWindowEnd - before);
                }
                break;
            default: // TOKEN_BUCKET, GCRA: one permit refills in W / limit
                assertThat(reset).isEqualTo(WINDOW_MICROS / 4);
                break;
        }
        assertThat(second.acquire("server-client", rule).remaining()).isEqualTo(2);
        assertThat(first.acquire("server-client", rule).remaining()).isEqualTo(1);
        assertThat(second.acquire("server-client", rule).remaining()).isZero();
        assertThat(first.acquire("server-client", rule).allowed()).isFalse();
        assertAllKeysExpire(prefix);
    }

    private static void assertAllKeysExpire(String prefix) {
        Set<String> keys = keysWithPrefix(prefix + ":");
        assertThat(keys).isNotEmpty();
        for (String key : keys) {
            assertThat(client.pttl(key)).as("PTTL of %s", key).isPositive();
        }
    }

    private static Set<String> keysWithPrefix(String prefix) {
        Set<String> keys = new TreeSet<>();
        ScanParams params = new ScanParams().match(prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = client.scan(cursor, params);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    /** The Redis server's clock in microseconds. */
    private static long serverMicros() {
        List<?> time = (List<?>) client.executeCommand(new CommandArguments(Protocol.Command.TIME));
        return Long.parseLong(SafeEncoder.encode((byte[]) time.get(0))) * 1_000_000L
                + Long.parseLong(SafeEncoder.encode((byte[]) time.get(1)));
    }

    private static long serverMillis() {
        return serverMicros() / 1_000L;
    }

    /**
     * Rules sharing a name and algorithm but not their limit and window are different counters, each in its own key:
     * a one-second log never prunes a one-minute log's entries (issue 16: a shorter window pruned the longer rule's
     * entries; a fixed window of 100 per second reset a 2-per-hour one of the same name).
     */
    @Test
    void rulesSharingANameButNotTheirLimitAndWindowKeepSeparateKeys() {
        ManualClock clock = new ManualClock();
        String prefix = uniquePrefix();
        RateLimitRule longer = RateLimitRule.custom().name("shared").limit(100).window("1m")
                .algorithm(Algorithm.SLIDING_WINDOW_LOG).build();
        RateLimitRule shorter = RateLimitRule.custom().name("shared").limit(100).window("1s")
                .algorithm(Algorithm.SLIDING_WINDOW_LOG).build();
        try (RedisRateLimiter limiter = RedisRateLimiter.custom().client(client).timeSource(clock).keyPrefix(prefix)
                .build()) {
            for (int i = 0; i < 5; i++) {
                assertThat(limiter.acquire("c", longer).allowed()).isTrue();
            }
            clock.advance(Duration.ofSeconds(30));
            assertThat(limiter.acquire("c", shorter).remaining()).isEqualTo(99);
            assertThat(limiter.acquire("c", longer).remaining()).isEqualTo(94);
            assertThat(limiter.stateKey("c", longer)).isEqualTo(prefix + ":{c}:shared:swl:100:60000");
            assertThat(limiter.stateKey("c", shorter)).isEqualTo(prefix + ":{c}:shared:swl:100:1000");
            assertThat(client.zcard(limiter.stateKey("c", longer))).isEqualTo(6);
            assertThat(client.zcard(limiter.stateKey("c", shorter))).isEqualTo(1);
        }
    }
}
