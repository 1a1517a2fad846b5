package dev.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/**
 * How the scripts are assembled: a one-rule call of an algorithm's script runs the algorithm inline, before any Lua
 * function is defined (Redis runs a script's whole body on every call, on its single thread), and that inline path
 * decides exactly as the several-rule loop does, on a real Redis.
 */
class RateLimitScriptTest {

    private static final long WINDOW = 10_000_000L;
    private static final long START = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z, a whole number of windows

    private static RedisServer redis;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        redis = RedisServer.shared();
        client = RedisClient.builder().hostAndPort(redis.hostAndPort()).build();
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aOneRuleCallDefinesNoFunctionBeforeItReturns(Algorithm algorithm) {
        String text = RateLimitScript.of(algorithm).text;
        int loop = text.indexOf("local CHECK, COMMIT");
        assertThat(loop).as("the several-rule loop").isPositive();
        int inline = text.indexOf("-- One rule");
        assertThat(inline).as("the one-rule path").isPositive().isLessThan(loop);
        String oneRule = code(text.substring(inline, loop));
        assertThat(oneRule).contains("if #KEYS == 1 and mode == '' then").doesNotContain("function").doesNotContain("@check")
                .doesNotContain("@commit");
        String index = Integer.toString(algorithm.ordinal() + 1);
        assertThat(text).contains("CHECK[" + index + "] = function", "COMMIT[" + index + "] = function");
        for (Algorithm other : Algorithm.values()) {
            if (other != algorithm) {
                assertThat(text).as("only its own algorithm").doesNotContain("CHECK[" + (other.ordinal() + 1) + "] =");
            }
        }
    }

    @Test
    void theScriptForMixedAlgorithmsHoldsAllFiveAsFunctions() {
        String text = RateLimitScript.ALL.text;
        assertThat(code(text)).doesNotContain("if #KEYS == 1").doesNotContain("@check").doesNotContain("@index");
        for (Algorithm algorithm : Algorithm.values()) {
            assertThat(text).contains("CHECK[" + (algorithm.ordinal() + 1) + "] = function");
        }
    }

    /**
     * The same requests at the same times, one rule each: through the algorithm's own script (the inline path) and
     * through the script for mixed algorithms (the loop), each on its own key. Every reply must be equal: the
     * verdict, remaining count, reset and retry-after, allowed and denied alike, across window boundaries.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void theInlinePathDecidesExactlyAsTheLoop(Algorithm algorithm) {
        String inlineKey = "script-test:{inline-" + algorithm + "}";
        String loopKey = "script-test:{loop-" + algorithm + "}";
        client.del(inlineKey, loopKey);
        long[] offsets = {0, 1, 2, 3, 4, 2_500_000, 5_000_001, 9_999_999, 10_000_000, 12_000_000, 19_000_000,
            40_000_000, 40_000_001};
        long[] costs = {1, 1, 2, 1, 1, 1, 3, 1, 1, 2, 1, 3, 1};
        for (int i = 0; i < offsets.length; i++) {
            List<String> args = List.of(Long.toString(START + offsets[i]), "",
                    RateLimitScript.index(algorithm), "3", Long.toString(WINDOW), Long.toString(costs[i]));
            List<Long> inline = longs(client.eval(RateLimitScript.of(algorithm).text, List.of(inlineKey), args));
            List<Long> loop = longs(client.eval(RateLimitScript.ALL.text, List.of(loopKey), args));
            assertThat(inline).as("request %d at +%d us, cost %d", i, offsets[i], costs[i]).isEqualTo(loop);
        }
    }

    /** The Lua code without its comments. */
    private static String code(String lua) {
        return lua.replaceAll("--[^\n]*", "");
    }

    private static List<Long> longs(Object reply) {
        List<Long> values = new ArrayList<>();
        for (Object value : (List<?>) reply) {
            values.add((Long) value);
        }
        return values;
    }
}
