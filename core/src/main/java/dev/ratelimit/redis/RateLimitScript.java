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
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Lua script the Redis limiter runs, assembled from the resources in {@code dev/ratelimit/redis}: the prelude
 * {@code RateLimiter.lua}; in a script of one algorithm, {@code RateLimiterOneRule.lua} with that algorithm's
 * {@code -- @check} and {@code -- @commit} blocks inline (the algorithm files are named like their in-memory twins);
 * then {@code RateLimiterMain.lua}, the loop over several rules, with each algorithm of the script wrapped as a pair of
 * functions by {@code RateLimiterFunctions.lua}. A request with several rules is thus still one EVALSHA. There is one
 * script per algorithm, holding only that algorithm, and one with all five for requests that mix algorithms: Redis
 * runs a script's whole body on every call, on its single thread, so the common one-rule call runs its algorithm
 * inline and returns before any function is made.
 */
final class RateLimitScript {

    private static final String CHECK = "-- @check";
    private static final String COMMIT = "-- @commit";
    private static final String ALGORITHMS = "-- @functions";

    /** The algorithm files; an algorithm's index in the scripts is its ordinal plus one. */
    private static final String[] ALGORITHM_FILES = {
        "FixedWindow.lua", "SlidingWindowLog.lua", "SlidingWindowCounter.lua", "TokenBucket.lua", "Gcra.lua",
    };

    /** The script with every algorithm, for requests that mix them. */
    static final RateLimitScript ALL;

    /** The script that gives permits back on a Redis Cluster ({@code RateLimiterRefund.lua} after the prelude). */
    static final RateLimitScript REFUND;

    /**
     * The script of an operator's operation on one state: reset, block or refund ({@code RateLimiterOperations.lua}
     * after the prelude).
     */
    static final RateLimitScript OPERATIONS;

    private static final RateLimitScript[] BY_ALGORITHM = new RateLimitScript[ALGORITHM_FILES.length];

    /** Each algorithm's number as ARGV carries it, formatted once rather than on every request. */
    private static final String[] INDEX = new String[ALGORITHM_FILES.length];

    static {
        if (Algorithm.values().length != ALGORITHM_FILES.length) {
            throw new IllegalStateException("one script file per algorithm is needed");
        }
        Resource prelude = Resource.read("RateLimiter.lua");
        Resource oneRule = Resource.read("RateLimiterOneRule.lua");
        Resource functions = Resource.read("RateLimiterFunctions.lua");
        Resource main = Resource.read("RateLimiterMain.lua");
        AlgorithmCode[] code = new AlgorithmCode[ALGORITHM_FILES.length];
        for (int i = 0; i < ALGORITHM_FILES.length; i++) {
            code[i] = AlgorithmCode.read(Resource.read(ALGORITHM_FILES[i]), i + 1);
        }
        for (int i = 0; i < code.length; i++) {
            INDEX[i] = Integer.toString(i + 1);
            BY_ALGORITHM[i] = new RateLimitScript(prelude.text + code[i].inline(oneRule), main, functions, code[i]);
        }
        ALL = new RateLimitScript(prelude.text, main, functions, code);
        REFUND = new RateLimitScript(prelude.text + Resource.read("RateLimiterRefund.lua").text);
        OPERATIONS = new RateLimitScript(prelude.text + Resource.read("RateLimiterOperations.lua").text);
    }

    /** The script's source. */
    final String text;

    /** Its SHA-1, as EVALSHA wants it. */
    final String sha1;

    private RateLimitScript(String text) {
        this.text = text;
        this.sha1 = sha1(text);
    }

    /** {@code head}, then {@code main} with each algorithm's blocks wrapped by {@code functions} at its marker. */
    private RateLimitScript(String head, Resource main, Resource functions, AlgorithmCode... algorithms) {
        StringBuilder wrapped = new StringBuilder();
        for (AlgorithmCode algorithm : algorithms) {
            wrapped.append(algorithm.header).append(algorithm.inline(functions));
        }
        this.text = head + main.replace(ALGORITHMS, wrapped.toString()).text;
        this.sha1 = sha1(text);
    }

    /**
     * One algorithm file: its header comment, then the code after {@code -- @check} and after {@code -- @commit}.
     *
     * @param header the comment lines before the check
     * @param check  the check block
     * @param commit the commit block
     * @param index  the algorithm's number in ARGV
     */
    private record AlgorithmCode(String header, String check, String commit, int index) {

        static AlgorithmCode read(Resource file, int index) {
            MatchResult check = file.only(CHECK);
            MatchResult commit = file.only(COMMIT);
            if (commit.start() < check.end()) {
                throw new IllegalStateException("script resource " + file.name + ": '" + COMMIT + "' must follow '"
                        + CHECK + "'");
            }
            String source = file.text;
            return new AlgorithmCode(source.substring(0, check.start()),
                    source.substring(check.end(), commit.start()), source.substring(commit.end()), index);
        }

        /** {@code template} with this algorithm's number and blocks in place of its markers. */
        String inline(Resource template) {
            Resource numbered = new Resource(template.name, template.text.replace("@index", Integer.toString(index)));
            return numbered.replace(CHECK, check).replace(COMMIT, commit).text;
        }
    }

    /**
     * A script resource in {@code dev/ratelimit/redis}, read once.
     *
     * @param name the file name, for error messages
     * @param text its text
     */
    private record Resource(String name, String text) {

        static Resource read(String name) {
            try (InputStream in = RateLimitScript.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing script resource dev/ratelimit/redis/" + name);
                }
                return new Resource(name, new String(in.readAllBytes(), StandardCharsets.UTF_8) + '\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read script resource " + name, e);
            }
        }

        /** This resource with its one {@code marker} line replaced by {@code code}. */
        Resource replace(String marker, String code) {
            MatchResult m = only(marker);
            return new Resource(name, text.substring(0, m.start()) + code + text.substring(m.end()));
        }

        /** The one line of the text that is {@code marker}, indented or not. */
        MatchResult only(String marker) {
            Matcher m = Pattern.compile("^[ \\t]*" + Pattern.quote(marker) + "[ \\t]*\\n", Pattern.MULTILINE)
                    .matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("script resource " + name + " lacks its '" + marker + "' line");
            }
            MatchResult first = m.toMatchResult();
            if (m.find()) {
                throw new IllegalStateException("script resource " + name + " has more than one '" + marker
                        + "' line");
            }
            return first;
        }
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
        return INDEX[algorithm.ordinal()];
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }
}
