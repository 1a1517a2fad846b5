package dev.ratelimit.testing;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Holds a module's exported types to {@code docs/public-api.md}: the types its compiled main classes make public or
 * protected (top level, and nested in an exported type) outside the {@code .internal} packages must be exactly the
 * ones the page lists for that module. Each library module's {@code PublicApiTest} calls {@link #check(String)}.
 */
public final class PublicApi {

    /** A type line of the page: {@code - `dev.ratelimit.core.RateLimited` (ratelimit-core): …}. */
    private static final Pattern LINE = Pattern.compile("^- `([A-Za-z0-9_.]+)` \\(([a-z-]+)\\):");

    private PublicApi() {
    }

    /**
     * Fails naming every type the module exports that the page does not list for {@code artifact}, and every type the
     * page lists for {@code artifact} that the module does not export.
     *
     * @param artifact the module's artifact id as the page names it, e.g. {@code ratelimit-core}
     * @throws IOException when the page or the classes cannot be read
     */
    public static void check(String artifact) throws IOException {
        Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path page = basedir.resolve("../docs/public-api.md").normalize();
        Path classes = basedir.resolve("target/classes");
        Set<String> listed = listed(page, artifact);
        Set<String> exported = exported(classes);

        Set<String> unlisted = new TreeSet<>(exported);
        unlisted.removeAll(listed);
        Set<String> missing = new TreeSet<>(listed);
        missing.removeAll(exported);
        if (!unlisted.isEmpty() || !missing.isEmpty()) {
            StringBuilder message = new StringBuilder(artifact).append(" and ").append(page).append(" disagree.");
            if (!unlisted.isEmpty()) {
                message.append("\nExported but not in the public API (make it package-private, move it to a ")
                        .append("dev.ratelimit.internal package, or add a line to the page): ").append(unlisted);
            }
            if (!missing.isEmpty()) {
                message.append("\nListed on the page for ").append(artifact).append(" but not exported by it: ")
                        .append(missing);
            }
            throw new AssertionError(message.toString());
        }
    }

    /**
     * The types the page lists for {@code artifact}, by canonical name.
     *
     * @param page     docs/public-api.md
     * @param artifact the artifact id in the lines' parentheses
     * @return the names; at least one, or the page is not what this class expects
     * @throws IOException when the page cannot be read
     */
    public static Set<String> listed(Path page, String artifact) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            Matcher m = LINE.matcher(line);
            if (m.find() && m.group(2).equals(artifact) && !names.add(m.group(1))) {
                throw new AssertionError(page + " lists " + m.group(1) + " twice");
            }
        }
        if (names.isEmpty()) {
            throw new AssertionError(page + " lists no type for " + artifact);
        }
        return names;
    }

    /**
     * The types a module's compiled classes export outside packages containing {@code .internal}, by canonical name:
     * public or protected, and (nested types) inside an exported type. Anonymous, local and synthetic classes and
     * {@code package-info} are never types of the API.
     *
     * @param classes the module's {@code target/classes}
     * @return the names
     * @throws IOException when the folder cannot be walked
     */
    public static Set<String> exported(Path classes) throws IOException {
        if (!Files.isDirectory(classes)) {
            throw new AssertionError(classes + " does not exist: compile the module first");
        }
        List<String> binaryNames = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(f -> {
                String relative = classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
                binaryNames.add(relative.substring(0, relative.length() - ".class".length()));
            });
        }
        ClassLoader loader = PublicApi.class.getClassLoader();
        Set<String> names = new TreeSet<>();
        for (String binaryName : binaryNames) {
            if (binaryName.endsWith("package-info") || binaryName.endsWith("module-info")) {
                continue;
            }
            Class<?> type;
            try {
                type = Class.forName(binaryName, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AssertionError("cannot load " + binaryName + " from the test class path", e);
            }
            if (type.getPackageName().contains(".internal")) {
                continue;
            }
            if (isExported(type)) {
                names.add(type.getCanonicalName());
            }
        }
        return names;
    }

    private static boolean isExported(Class<?> type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
            return false;
        }
        int modifiers = type.getModifiers();
        if (!Modifier.isPublic(modifiers) && !Modifier.isProtected(modifiers)) {
            return false;
        }
        Class<?> enclosing = type.getEnclosingClass();
        return enclosing == null || isExported(enclosing);
    }
}
