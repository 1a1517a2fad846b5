package dev.ratelimit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The filter declarations the documentation shows, copied as they are into a {@code web.xml} with an asynchronous
 * servlet behind them, work in a real Jetty 12 (ee10): the servlet may {@code startAsync()} (which a filter declared
 * without {@code async-supported} forbids, with a {@code 500}), and its response carries the rate-limit headers.
 */
class DocumentedDeclarationTest {

    private static final Pattern XML_BLOCK = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern URL_PATTERN = Pattern.compile("<url-pattern>([^<]*)</url-pattern>");
    private static final String FILTER_CLASS = "<filter-class>dev.ratelimit.servlet.RateLimitFilter</filter-class>";

    @TempDir
    Path webapp;
    private TestServer jetty;

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docs/servlet-filter.md", "README.md"})
    void anAsyncServletBehindTheDocumentedDeclarationAnswersWithTheHeaders(String document) throws Exception {
        List<String> declarations = declarations(document);
        assertThat(declarations).as("the filter declarations in %s", document).isNotEmpty();
        for (String declaration : declarations) {
            List<String> paths = mappedPaths(declaration);
            assertThat(paths).as("the url-patterns of %s", declaration).isNotEmpty();
            deploy(declaration);
            for (String path : paths) {
                int before = AsyncServlet.ALL_INVOCATIONS.get();
                HttpResponse<String> response = jetty.get(path);
                assertThat(response.statusCode()).as("GET %s behind the filter declared in %s:%n%s", path, document,
                        declaration).isEqualTo(200);
                assertThat(response.body()).isEqualTo("async");
                assertThat(response.headers().firstValue("RateLimit-Policy")).as("GET %s", path).isPresent();
                assertThat(response.headers().firstValue("X-RateLimit-Remaining")).as("GET %s", path).isPresent();
                assertThat(AsyncServlet.ALL_INVOCATIONS.get()).isEqualTo(before + 1);
            }
            jetty.close();
            jetty = null;
        }
    }

    /** The XML blocks of {@code document} (relative to the repository) that declare a {@code RateLimitFilter}. */
    private static List<String> declarations(String document) throws IOException {
        String text = Files.readString(Path.of("..").resolve(document));
        List<String> blocks = new ArrayList<>();
        Matcher m = XML_BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).contains(FILTER_CLASS)) {
                blocks.add(m.group(1));
            }
        }
        return blocks;
    }

    /** A path below each {@code url-pattern} of the declaration ({@code /legacy/*} → {@code /legacy/x}). */
    private static List<String> mappedPaths(String declaration) {
        List<String> paths = new ArrayList<>();
        Matcher m = URL_PATTERN.matcher(declaration);
        while (m.find()) {
            String pattern = m.group(1).strip();
            paths.add(pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 1) + "x" : pattern);
        }
        return paths;
    }

    /** A web application whose web.xml is the declaration plus {@link AsyncServlet} answering every path. */
    private void deploy(String declaration) throws Exception {
        Path webInf = Files.createDirectories(webapp.resolve("WEB-INF"));
        Files.writeString(webInf.resolve("web.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                         version="6.0">
                """ + declaration + """
                  <servlet>
                    <servlet-name>async</servlet-name>
                    <servlet-class>dev.ratelimit.servlet.AsyncServlet</servlet-class>
                    <async-supported>true</async-supported>
                  </servlet>
                  <servlet-mapping><servlet-name>async</servlet-name><url-pattern>/</url-pattern></servlet-mapping>
                </web-app>
                """);
        WebAppContext context = new WebAppContext();
        context.setContextPath(TestServer.CONTEXT_PATH);
        context.setBaseResourceAsPath(webapp);
        context.setThrowUnavailableOnStartupException(true);
        jetty = new TestServer(context).start();
    }
}
