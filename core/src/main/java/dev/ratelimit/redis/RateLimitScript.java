package dev.ratelimit.redis;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script the Redis limiter runs: {@code RateLimiter.lua} (prelude), algorithm files named like their in-memory
 * twins, then {@code RateLimiterMain.lua} (the decision loop), joined so that a request with several rules is one
 * EVALSHA. There is one script per algorithm, holding only that algorithm (Redis runs a script's whole body on every
 * call, so unused algorithms would be defined for nothing on its single thread), and one with all five for requests
 * that mix algorithms.
 */
final class RateLimitScript {

    private static final String PRELUDE = "RateLimiter.lua";
    private static final String MAIN = "RateLimiterMain.lua";

    /** The algorithm files; an algorithm's index in the scripts is its ordinal plus one. */
    private static final String[] ALGORITHM_FILES = {
        "FixedWindow.lua", "SlidingWindowLog.lua", "SlidingWindowCounter.lua", "TokenBucket.lua", "Gcra.lua",
    };

    /** The script with every algorithm, for requests that mix them. */
    static final RateLimitScript ALL = new RateLimitScript(ALGORITHM_FILES);

    private static final RateLimitScript[] BY_ALGORITHM = new RateLimitScript[ALGORITHM_FILES.length];

    static {
        if (Algorithm.values().length != ALGORITHM_FILES.length) {
            throw new IllegalStateException("one script file per algorithm is needed");
        }
        for (int i = 0; i < ALGORITHM_FILES.length; i++) {
            BY_ALGORITHM[i] = new RateLimitScript(ALGORITHM_FILES[i]);
        }
    }

    /** The script's source. */
    final String text;

    /** Its SHA-1, as EVALSHA wants it. */
    final String sha1;

    private RateLimitScript(String... algorithmFiles) {
        StringBuilder script = new StringBuilder(read(PRELUDE));
        for (String file : algorithmFiles) {
            script.append(read(file));
        }
        this.text = script.append(read(MAIN)).toString();
        this.sha1 = sha1(text);
    }

    /**
     * The script holding only {@code algorithm}.
     *
     * @param algorithm the algorithm
     * @return its script
     */
    static RateLimitScript of(Algorithm algorithm) {
        return BY_ALGORITHM[algorithm.ordinal()];
    }

    /**
     * The script for a request: the one of its algorithm when all rules share it (the usual case), else {@link #ALL}.
     *
     * @param rules the request's rules, at least one
     * @return the script to run
     */
    static RateLimitScript of(List<RateLimitRule> rules) {
        Algorithm first = rules.get(0).algorithm();
        for (int i = 1; i < rules.size(); i++) {
            if (rules.get(i).algorithm() != first) {
                return ALL;
            }
        }
        return of(first);
    }

    /** The script's number for an algorithm, as passed in ARGV. */
    static String index(Algorithm algorithm) {
        return Integer.toString(algorithm.ordinal() + 1);
    }

    private static String read(String file) {
        try (InputStream in = RateLimitScript.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource dev/ratelimit/redis/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + '\n';
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script resource " + file, e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }
}
