package dev.ratelimit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the code in README.md and docs/*.md true. A fenced code block preceded by a marker line
 * {@code <!-- file: path/from/the/repository/root -->} must equal that file (the quick starts' poms, classes and
 * web.xml; the other snippets live in this module's {@code src/main/java}, which the build compiles with
 * {@code -Xlint:all -Werror}), so a snippet that no longer compiles, or that drifts from its file, fails the build.
 * Every Java block must have a marker: a Java snippet is either compiled or not in the docs.
 */
class DocSnippetsTest {

    private static final Pattern MARKER = Pattern.compile("^\\s*<!-- file: (\\S+) -->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^(\\s*)```(\\S*)\\s*$");

    static Path root() {
        return Path.of(System.getProperty("docs.root", "../..")).toAbsolutePath().normalize();
    }

    /** README.md and docs/*.md. */
    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(root().resolve("README.md"));
        try (Stream<Path> docs = Files.list(root().resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** One fenced block: where it is, its language, the file its marker names (or null) and its text. */
    record Block(Path page, int line, String language, String file, String text) {
        @Override
        public String toString() {
            return root().relativize(page) + ":" + line + " (```" + language + ")";
        }
    }

    /** Every fenced block of a page, dedented by its fence's indentation. */
    static List<Block> blocks(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            String indent = open.group(1);
            String language = open.group(2);
            Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1)) : null;
            String file = marker != null && marker.matches() ? marker.group(1) : null;
            StringBuilder text = new StringBuilder();
            int j = i + 1;
            for (; j < lines.size(); j++) {
                String line = lines.get(j);
                if (line.trim().equals("```")) {
                    break;
                }
                text.append(line.startsWith(indent) ? line.substring(indent.length()) : line.stripLeading())
                        .append('\n');
            }
            assertThat(j).as("%s:%d: a fence that is never closed", page, i + 1).isLessThan(lines.size());
            blocks.add(new Block(page, i + 1, language, file, text.toString()));
            i = j;
        }
        return blocks;
    }

    @Test
    void everyJavaSnippetIsAFileThatTheBuildCompiles() throws IOException {
        List<String> unmarked = new ArrayList<>();
        int java = 0;
        for (Path page : pages()) {
            for (Block block : blocks(page)) {
                if (block.language().equals("java")) {
                    java++;
                    if (block.file() == null) {
                        unmarked.add(block.toString());
                    } else {
                        assertThat(block.file()).as("%s: a Java snippet must be compiled by the build", block)
                                .matches("examples/[a-z-]+/src/main/java/.+\\.java");
                    }
                }
            }
        }
        assertThat(unmarked).as("Java blocks without a <!-- file: … --> marker naming the file they show")
                .isEmpty();
        assertThat(java).as("Java blocks found").isGreaterThan(10);
    }

    @Test
    void everyMarkedSnippetEqualsItsFile() throws IOException {
        int marked = 0;
        for (Path page : pages()) {
            for (Block block : blocks(page)) {
                if (block.file() == null) {
                    continue;
                }
                marked++;
                Path file = root().resolve(block.file());
                assertThat(file).as("%s names a file that does not exist", block).isRegularFile();
                String content = Files.readString(file, StandardCharsets.UTF_8);
                assertThat(block.text()).as("%s must show %s exactly", block, block.file()).isEqualTo(content);
            }
        }
        assertThat(marked).isGreaterThan(10);
    }

    @Test
    void everyMarkerIsFollowedByAFence() throws IOException {
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (MARKER.matcher(lines.get(i)).matches()) {
                    assertThat(i + 1 < lines.size() && FENCE.matcher(lines.get(i + 1)).matches())
                            .as("%s:%d: a file marker must be the line right before a code fence", page, i + 1)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void theQuickStartPomsBuildThisVersionOfTheLibrary() throws IOException {
        for (String quickstart : List.of("quickstart-jaxrs", "quickstart-servlet")) {
            String pom = Files.readString(root().resolve("examples").resolve(quickstart).resolve("pom.xml"),
                    StandardCharsets.UTF_8);
            assertThat(pom).as("%s/pom.xml has no parent: it is what a user writes", quickstart)
                    .doesNotContain("<parent>");
            assertThat(pom).as("%s/pom.xml builds the library of this reactor", quickstart)
                    .contains("<ratelimit.version>" + System.getProperty("docs.project.version")
                            + "</ratelimit.version>");
            if (pom.contains("<jersey.version>")) {
                assertThat(pom).as("%s/pom.xml uses the Jersey the library is built with", quickstart)
                        .contains("<jersey.version>" + System.getProperty("docs.jersey.version")
                                + "</jersey.version>");
            }
        }
    }

    @Test
    void theQuickStartPagesNameTheContainerVersionsTheBuildRuns() throws IOException {
        Pattern jetty = Pattern.compile("jetty-home-(\\d+\\.\\d+\\.\\d+)");
        Pattern tomcat = Pattern.compile("tomcat-(\\d+\\.\\d+\\.\\d+)");
        for (String page : List.of("docs/quickstart-jaxrs.md", "docs/quickstart-servlet.md")) {
            String text = Files.readString(root().resolve(page), StandardCharsets.UTF_8);
            List<String> jettyVersions = all(jetty, text);
            List<String> tomcatVersions = all(tomcat, text);
            assertThat(jettyVersions).as("%s names jetty-home", page).isNotEmpty()
                    .containsOnly(System.getProperty("docs.jetty-home.version"));
            assertThat(tomcatVersions).as("%s names Tomcat", page).isNotEmpty()
                    .containsOnly(System.getProperty("docs.tomcat.version"));
        }
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
