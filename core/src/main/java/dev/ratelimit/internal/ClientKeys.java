package dev.ratelimit.internal;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.KeyedRule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns client keys into bounded, safe store keys, and checks a limiter call's arguments; shared by every store.
 * Keys of up to {@value #MAX_RAW_LENGTH} visible ASCII characters are kept as they are (readable in Redis); any
 * other key (long, non-ASCII, with braces that would disturb Redis Cluster hash tags, or starting with {@code ~}) is
 * replaced by {@code ~} and the URL-safe Base64 of its SHA-256, 44 characters in all. A 10 KB header thus costs the
 * store no more than a short one, and no two distinct keys share a counter. The in-memory store, which takes any
 * character, bounds keys by length only ({@link #bounded}).
 */
public final class ClientKeys {

    /** The longest key kept verbatim. */
    public static final int MAX_RAW_LENGTH = 64;

    private ClientKeys() {
    }

    /**
     * The store form of a client key.
     *
     * @param key the client key as the binding resolved it (principal, IP, header value…)
     * @return the key itself when it is short plain ASCII, else {@code ~} and the Base64 of its SHA-256
     * @throws IllegalArgumentException when the key is null or empty
     */
    public static String normalize(String key) {
        return keptAsIs(key) && isPlain(key) ? key : hashed(key);
    }

    /**
     * The in-memory form of a client key: bounded like {@link #normalize}, without its character scan. Memory takes
     * any character in a key, so only length and the {@code ~} prefix matter: a key of up to {@value #MAX_RAW_LENGTH}
     * characters not starting with {@code ~} is kept as it is, any other is replaced by the same hashed form as in
     * {@link #normalize}. No two distinct keys share a counter.
     *
     * @param key the client key as the binding resolved it
     * @return the key itself when it is short and does not start with {@code ~}, else {@code ~} and the Base64 of its
     *         SHA-256
     * @throws IllegalArgumentException when the key is null or empty
     */
    public static String bounded(String key) {
        return keptAsIs(key) ? key : hashed(key);
    }

    /**
     * Checks a client key without normalizing it: what a limiter in front of a store checks, leaving the store to
     * normalize (and, for a long key, hash) it once.
     *
     * @param key the client key as the binding resolved it
     * @throws IllegalArgumentException when the key is null or empty
     */
    public static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("the rate-limit key is empty");
        }
    }

    /** Whether a key is short enough to keep and cannot pass for a hashed one (every store's first test). */
    private static boolean keptAsIs(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("the rate-limit key is empty");
        }
        return key.length() <= MAX_RAW_LENGTH && key.charAt(0) != '~';
    }

    private static String hashed(String key) {
        return "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(key));
    }

    /** The most rules one call may hold. */
    public static final int MAX_RULES = 16;

    /**
     * Checks the arguments of {@link dev.ratelimit.core.RateLimiter#acquire(String, List)}.
     *
     * @param rules the rules of one call
     * @throws IllegalArgumentException when the rules are empty, more than {@value #MAX_RULES}, or two rules are the
     *                                  same counter (name, algorithm, limit and window)
     */
    public static void checkRules(List<RateLimitRule> rules) {
        if (rules == null || rules.isEmpty()) {
            throw new IllegalArgumentException("at least one rule is needed");
        }
        if (rules.size() > 1) {
            checkCount(rules.size());
            Set<String> seen = new HashSet<>();
            for (RateLimitRule r : rules) {
                if (!seen.add(counter(r))) {
                    throw new IllegalArgumentException("rule " + r + " appears twice in one call");
                }
            }
        }
    }

    /**
     * Checks the arguments of {@link dev.ratelimit.core.RateLimiter#acquire(List)}.
     *
     * @param rules the rules of one call with their keys
     * @throws IllegalArgumentException when the rules are empty, more than {@value #MAX_RULES}, or the same counter
     *                                  (name, algorithm, limit and window) appears twice for one key
     */
    public static void checkKeyedRules(List<KeyedRule> rules) {
        if (rules == null || rules.isEmpty()) {
            throw new IllegalArgumentException("at least one rule is needed");
        }
        checkCount(rules.size());
        Set<String> seen = new HashSet<>();
        for (KeyedRule r : rules) {
            if (r == null) {
                throw new IllegalArgumentException("a keyed rule is null");
            }
            if (!seen.add(r.key() + '\n' + counter(r.rule()))) {
                throw new IllegalArgumentException("rule " + r.rule() + " appears twice for one key in one call");
            }
        }
    }

    private static void checkCount(int n) {
        if (n > MAX_RULES) {
            throw new IllegalArgumentException(n + " rules in one call; at most " + MAX_RULES + " are allowed");
        }
    }

    private static String counter(RateLimitRule r) {
        return r.name() + '\n' + r.algorithm() + '\n' + r.counterLimit() + '\n' + r.counterWindowMicros();
    }

    private static boolean isPlain(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '{' || c == '}') {
                return false;
            }
        }
        return true;
    }

    /**
     * The SHA-256 of the UTF-8 bytes of a text.
     *
     * @param key the text
     * @return its 32-byte digest
     */
    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
