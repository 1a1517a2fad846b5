package dev.ratelimit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A small property-based test engine (no library): generates cases from a seed, checks each, and when one fails,
 * shrinks it (tries simpler variants while the check still fails) before failing the test with the seed, the try and
 * the simplest failing case found.
 *
 * <p>Deterministic: try {@code i} is generated from {@code new Random(seed * 1_000_003 + i)}, so a run with the same
 * seed repeats every try. The system properties {@value #SEED} and {@value #TRIES} override a property's default
 * seed and number of tries (e.g. {@code mvn test -Dratelimit.pbt.seed=7 -Dratelimit.pbt.tries=5000}).
 *
 * @param <C> the type of a case, e.g. a sequence of steps
 */
public final class Property<C> {

    /** System property overriding every property's seed. */
    public static final String SEED = "ratelimit.pbt.seed";
    /** System property overriding every property's number of tries. */
    public static final String TRIES = "ratelimit.pbt.tries";

    /** Checks one case; returns normally when the property holds, throws (any Throwable) when it does not. */
    @FunctionalInterface
    public interface Check<C> {
        void check(C value) throws Exception;
    }

    private final String name;
    private final long seed;
    private final int tries;
    private final Function<Random, C> generator;
    private final Function<C, List<C>> shrinker;
    private final Function<C, String> printer;
    private volatile boolean shrinking;
    private int maxShrinkAttempts = 2_000;
    private long shrinkBudgetNanos = 60_000_000_000L;

    /**
     * A property.
     *
     * @param name         for messages
     * @param defaultSeed  the seed unless {@value #SEED} is set
     * @param defaultTries the number of cases unless {@value #TRIES} is set
     * @param generator    makes a case from a random source
     * @param shrinker     simpler variants of a case, the most promising (usually the smallest) first
     * @param printer      a case, readably
     */
    public Property(String name, long defaultSeed, int defaultTries, Function<Random, C> generator,
            Function<C, List<C>> shrinker, Function<C, String> printer) {
        this.name = name;
        this.seed = Long.getLong(SEED, defaultSeed);
        this.tries = Integer.getInteger(TRIES, defaultTries);
        this.generator = generator;
        this.shrinker = shrinker;
        this.printer = printer;
    }

    /** Bounds shrinking by the number of variants checked and by time, so an expensive check stays affordable. */
    public Property<C> shrinkBudget(int attempts, long seconds) {
        this.maxShrinkAttempts = attempts;
        this.shrinkBudgetNanos = seconds * 1_000_000_000L;
        return this;
    }

    /** Whether the case being checked is a shrinking attempt rather than one of the tries (e.g. for statistics). */
    public boolean shrinking() {
        return shrinking;
    }

    /** The seed in use. */
    public long seed() {
        return seed;
    }

    /** The number of tries in use. */
    public int tries() {
        return tries;
    }

    /**
     * Checks {@link #tries()} generated cases.
     *
     * @throws AssertionError for the first failing case, after shrinking it, naming seed, try and shrunk case
     */
    public void check(Check<C> check) {
        for (int i = 0; i < tries; i++) {
            C value = generator.apply(new Random(seed * 1_000_003L + i));
            Throwable failure = failureOf(check, value);
            if (failure != null) {
                throw shrunkFailure(check, i, value, failure);
            }
        }
    }

    private AssertionError shrunkFailure(Check<C> check, int tryIndex, C original, Throwable originalFailure) {
        shrinking = true;
        C smallest = original;
        Throwable smallestFailure = originalFailure;
        int attempts = 0;
        long deadline = System.nanoTime() + shrinkBudgetNanos;
        boolean progress = true;
        while (progress && attempts < maxShrinkAttempts && System.nanoTime() < deadline) {
            progress = false;
            for (C candidate : shrinker.apply(smallest)) {
                if (attempts >= maxShrinkAttempts || System.nanoTime() >= deadline) {
                    break;
                }
                attempts++;
                Throwable f = failureOf(check, candidate);
                if (f != null) {
                    smallest = candidate;
                    smallestFailure = f;
                    progress = true;
                    break; // start again from the simpler case
                }
            }
        }
        String message = name + " failed: seed " + seed + ", try " + tryIndex + " of " + tries
                + " (rerun with -D" + SEED + "=" + seed + " -D" + TRIES + "=" + (tryIndex + 1) + ")\n"
                + "shrunk in " + attempts + " attempts" + (progress ? " (budget exhausted)" : "") + " to:\n"
                + printer.apply(smallest) + "\n"
                + "failure: " + describe(smallestFailure) + "\n"
                + "(the original case failed with: " + firstLine(describe(originalFailure)) + ")";
        shrinking = false;
        // an assertion's text is in the message already; keep what caused it (e.g. a store's exception)
        Throwable cause = smallestFailure instanceof AssertionError ? smallestFailure.getCause() : smallestFailure;
        return new AssertionError(message, cause);
    }

    private static <C> Throwable failureOf(Check<C> check, C value) {
        try {
            check.check(value);
            return null;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            return t;
        }
    }

    private static String describe(Throwable t) {
        return t instanceof AssertionError ? String.valueOf(t.getMessage()) : t.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " …";
    }

    // ------------------------------------------------------------------------------------- list shrinking helpers

    /**
     * The usual simpler variants of a list: without a chunk (halves, quarters, … single elements), then with one
     * element replaced by each of its simpler variants.
     */
    public static <E> List<List<E>> shrinkList(List<E> list, Function<E, List<E>> shrinkElement) {
        List<List<E>> out = new ArrayList<>();
        int n = list.size();
        for (int chunk = n / 2; chunk >= 1; chunk /= 2) {
            for (int from = 0; from + chunk <= n; from += chunk) {
                List<E> shorter = new ArrayList<>(list.subList(0, from));
                shorter.addAll(list.subList(from + chunk, n));
                if (!shorter.isEmpty()) {
                    out.add(shorter);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (E simpler : shrinkElement.apply(list.get(i))) {
                List<E> copy = new ArrayList<>(list);
                copy.set(i, simpler);
                out.add(copy);
            }
        }
        return out;
    }
}
