package dev.ratelimit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.StockContainer;
import dev.ratelimit.testing.StockContainer.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Follows each quick start's page against its real WAR in stock Jetty 12 and stock Tomcat 10.1: deploys the WAR
 * built by the reactor (the page's pom and files, checked by {@link DocSnippetsTest}) as {@code ROOT.war}, creates
 * Jetty's base with exactly the modules of the page's {@code start.jar --add-modules=…} command, then replays the
 * page's curl session (the {@code console} block after {@code <!-- replayed by QuickstartIT -->}) and compares every
 * answer with the page: the status, each header line the page shows and the body. Numbers that count down with time
 * ({@code t=}, {@code Retry-After}, {@code X-RateLimit-Reset}, the retry-after in the body) may be smaller than the
 * page's, never larger and never 0. The log lines the page shows (the block after {@code <!-- logged, checked by
 * QuickstartIT -->}; {@code …} stands for text left out) must be in the container's output.
 *
 * <p>The token bucket of the quick starts (5 per minute) refills one permit per 12 s, and a replay takes well under a
 * second: nothing here depends on a window boundary.
 */
class QuickstartIT {

    private static final String REPLAY_MARKER = "<!-- replayed by QuickstartIT -->";
    private static final String LOG_MARKER = "<!-- logged, checked by QuickstartIT -->";
    private static final String DOC_ORIGIN = "http://localhost:8080";
    private static final Pattern CURL = Pattern.compile("curl -i (" + Pattern.quote(DOC_ORIGIN) + "\\S*)");
    private static final Pattern LOOP = Pattern.compile(
            "for i in ([\\d ]+); do curl -s -o /dev/null -w '%\\{http_code\\} ' (" + Pattern.quote(DOC_ORIGIN)
                    + "\\S*); done; echo");
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) .+");
    /** A number that counts down: the text before it, and the number. */
    private static final Pattern COUNTDOWN = Pattern.compile(
            "(t=|Retry-After: |X-RateLimit-Reset: |retry in |\"retryAfter\":)(\\d+)");
    private static final Map<String, String> REASONS = Map.of("200", "OK", "429", "Too Many Requests");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static Stream<Arguments> quickstarts() {
        return Stream.of(
                Arguments.of("quickstart-jaxrs", Kind.JETTY),
                Arguments.of("quickstart-jaxrs", Kind.TOMCAT),
                Arguments.of("quickstart-servlet", Kind.JETTY),
                Arguments.of("quickstart-servlet", Kind.TOMCAT));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("quickstarts")
    void thePageIsWhatTheContainerDoes(String quickstart, Kind kind) throws Exception {
        String page = Files.readString(DocSnippetsTest.root().resolve("docs").resolve(quickstart + ".md"),
                StandardCharsets.UTF_8);
        Matcher modules = Pattern.compile("--add-modules=(\\S+)").matcher(page);
        assertThat(modules.find()).as("docs/%s.md names Jetty's modules", quickstart).isTrue();
        Path war = Path.of(System.getProperty("docs.wars", "target/wars")).resolve(quickstart + ".war");

        long started = System.nanoTime();
        try (StockContainer container = StockContainer.start(kind, war,
                StockContainer.Options.properties("docs").withJettyModules(modules.group(1)))) {
            System.out.printf("%s in %s started in %d ms%n", quickstart, kind,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            replay(container, quickstart, block(page, REPLAY_MARKER));

            String output = container.output();
            for (String line : block(page, LOG_MARKER)) {
                if (line.isBlank()) {
                    continue;
                }
                // the thread name differs between containers: "[main] INFO …" compares from "INFO"
                String logged = line.replaceFirst("^\\[[^]]*] ", "");
                int from = 0;
                for (String part : logged.split("…")) {
                    int at = output.indexOf(part.strip(), from);
                    assertThat(at).as("%s in %s logged (docs/%s.md):%n%s%nits output:%n%s", quickstart, kind,
                            quickstart, line, output).isNotNegative();
                    from = at + part.strip().length();
                }
            }
            assertThat(container.stop()).as("%s stops on SIGTERM", kind).isTrue();
        }
    }

    /** The lines of the fenced block right after the marker line. */
    private static List<String> block(String page, String marker) {
        List<String> lines = page.lines().toList();
        int at = lines.indexOf(marker);
        assertThat(at).as("the page has a line %s", marker).isNotNegative();
        assertThat(lines.get(at + 1)).as("a fence follows %s", marker).startsWith("```");
        List<String> block = new ArrayList<>();
        for (int i = at + 2; !lines.get(i).startsWith("```"); i++) {
            block.add(lines.get(i));
        }
        return block;
    }

    private static void replay(StockContainer container, String quickstart, List<String> session) throws Exception {
        int commands = 0;
        for (int i = 0; i < session.size(); ) {
            String command = session.get(i);
            assertThat(command).as("docs/%s.md: a command line", quickstart).startsWith("$ ");
            List<String> expected = new ArrayList<>();
            for (i++; i < session.size() && !session.get(i).startsWith("$ "); i++) {
                expected.add(session.get(i));
            }
            while (!expected.isEmpty() && expected.get(expected.size() - 1).isBlank()) {
                expected.remove(expected.size() - 1);
            }
            commands++;
            Matcher curl = CURL.matcher(command);
            Matcher loop = LOOP.matcher(command);
            if (curl.find()) {
                compare(command, expected, get(container, curl.group(1)));
            } else if (loop.find()) {
                List<String> codes = new ArrayList<>();
                for (String ignored : loop.group(1).trim().split(" +")) {
                    codes.add(String.valueOf(get(container, loop.group(2)).statusCode()));
                }
                assertThat(String.join(" ", codes)).as(command).isEqualTo(String.join("\n", expected).strip());
            } else {
                throw new AssertionError("docs/" + quickstart + ".md: a command QuickstartIT cannot replay: "
                        + command);
            }
        }
        assertThat(commands).isGreaterThanOrEqualTo(3);
    }

    private static HttpResponse<String> get(StockContainer container, String documentedUri) throws IOException,
            InterruptedException {
        URI uri = container.uri(documentedUri.substring(DOC_ORIGIN.length()));
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The page's answer (status line, header lines, a blank line, the body) against the container's. */
    private static void compare(String command, List<String> expected, HttpResponse<String> actual) {
        String all = "the answer to " + command + ": " + actual.statusCode() + " " + actual.headers().map() + "\n"
                + actual.body();
        Matcher status = STATUS.matcher(expected.get(0));
        assertThat(status.matches()).as("a status line first, in %s", expected).isTrue();
        assertThat(String.valueOf(actual.statusCode())).as(all).isEqualTo(status.group(1));
        assertThat(expected.get(0)).isEqualTo("HTTP/1.1 " + status.group(1) + " " + REASONS.get(status.group(1)));
        int blank = expected.indexOf("");
        assertThat(blank).as("a blank line after the headers of %s", command).isPositive();
        for (String header : expected.subList(1, blank)) {
            int colon = header.indexOf(": ");
            String name = header.substring(0, colon);
            String value = header.substring(colon + 2);
            List<String> values = actual.headers().allValues(name);
            assertThat(values).as("%s: the header %s%n%s", command, name, all).hasSize(1);
            String actualValue = values.get(0);
            if (name.equalsIgnoreCase("Content-Type")) {
                // a container may add a charset parameter the page leaves out
                assertThat(actualValue.toLowerCase(Locale.ROOT)).as(all).startsWith(value.toLowerCase(Locale.ROOT));
            } else {
                assertCountingDown(name + ": " + value, name + ": " + actualValue, all);
            }
        }
        String body = String.join("\n", expected.subList(blank + 1, expected.size()));
        assertCountingDown(body, actual.body().strip(), all);
    }

    /** {@code actual} is {@code documented}, but for the numbers that count down, which may be smaller (not 0). */
    private static void assertCountingDown(String documented, String actual, String context) {
        Matcher doc = COUNTDOWN.matcher(documented);
        Matcher act = COUNTDOWN.matcher(actual);
        assertThat(doc.replaceAll("$1#")).as(context).isEqualTo(act.replaceAll("$1#"));
        doc.reset();
        act.reset();
        while (doc.find()) {
            assertThat(act.find()).isTrue();
            assertThat(Integer.parseInt(act.group(2))).as("%s%s counts down from the page's %s%n%s", act.group(1),
                    act.group(2), doc.group(2), context).isBetween(1, Integer.parseInt(doc.group(2)));
        }
    }
}
