package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua script the Redis limiter runs: {@code RateLimiter.lua} (prelude), one file per algorithm named like its
 * in-memory twin, then {@code RateLimiterMain.lua} (the decision loop), joined into one script so that a request
 * with several rules, of any algorithms, is one EVALSHA.
 */
final class RateLimitScript {

    /** The script files in order; an algorithm's index in the script is its ordinal plus one. */
    private static final String[] FILES = {
        "RateLimiter.lua", "FixedWindow.lua", "SlidingWindowLog.lua", "SlidingWindowCounter.lua", "TokenBucket.lua",
        "Gcra.lua", "RateLimiterMain.lua",
    };

    static final String TEXT = load();
    static final String SHA1 = sha1(TEXT);

    private RateLimitScript() {
    }

    /** The script's number for an algorithm, as passed in ARGV. */
    static String index(Algorithm algorithm) {
        return Integer.toString(algorithm.ordinal() + 1);
    }

    private static String load() {
        StringBuilder script = new StringBuilder();
        for (String file : FILES) {
            try (InputStream in = RateLimitScript.class.getResourceAsStream(file)) {
                if (in == null) {
                    throw new IllegalStateException("missing script resource dev/ratelimit/redis/" + file);
                }
                script.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read script resource " + file, e);
            }
        }
        return script.toString();
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }
}
