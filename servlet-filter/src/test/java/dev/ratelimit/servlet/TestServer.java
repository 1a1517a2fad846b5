package dev.ratelimit.servlet;

import dev.ratelimit.core.RateLimiter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 (ee10) on a port Jetty picks, bound to 127.0.0.1, with one servlet context at {@value #CONTEXT_PATH}
 * whose only servlet, {@link OkServlet}, answers every path. Filters are added as a {@code web.xml} would declare
 * them: a name, a class and init-params. Requests go through {@link HttpClient}.
 */
final class TestServer implements AutoCloseable {

    static final String CONTEXT_PATH = "/app";

    final Server server = new Server();
    final ServletContextHandler context = new ServletContextHandler(CONTEXT_PATH);
    /** Invocations of the servlet of this server. */
    final AtomicInteger invocations = new AtomicInteger();
    private final ServerConnector connector = new ServerConnector(server);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    TestServer() {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        context.addServlet(new ServletHolder("ok", new OkServlet(invocations)), "/*");
        server.setHandler(context);
    }

    /** A server whose handler is {@code handler} (e.g. a {@code WebAppContext}) instead of the servlet context. */
    TestServer(Handler handler) {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
    }

    /**
     * A web application deployed from {@code src/test/resources/webapps/<name>} (its {@code WEB-INF/web.xml}) at
     * {@value #CONTEXT_PATH}; its classes come from the test class path.
     */
    static WebAppContext webapp(String name) {
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(CONTEXT_PATH);
        try {
            webapp.setBaseResourceAsPath(Path.of(TestServer.class.getResource("/webapps/" + name).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return webapp;
    }

    /** A {@code context-param}. */
    TestServer contextParam(String name, String value) {
        context.setInitParameter(name, value);
        return this;
    }

    /** Puts {@code limiter} into the context attribute the filters read, from a listener, as an application would. */
    TestServer applicationLimiter(RateLimiter limiter) {
        context.addEventListener(new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent event) {
                event.getServletContext().setAttribute(RateLimitFilter.LIMITER_ATTRIBUTE, limiter);
            }
        });
        return this;
    }

    /** Puts {@code metrics} into the context attribute the filters report to, from a listener. */
    TestServer applicationMetrics(dev.ratelimit.metrics.RateLimitMetrics metrics) {
        context.addEventListener(new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent event) {
                event.getServletContext().setAttribute(RateLimitFilter.METRICS_ATTRIBUTE, metrics);
            }
        });
        return this;
    }

    /** Declares {@link TestPrincipalFilter} on every path; call it before the rate-limit filters (order matters). */
    TestServer principalFromHeader() {
        context.addFilter(new FilterHolder(new TestPrincipalFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
        return this;
    }

    /**
     * Declares a {@link RateLimitFilter} mapped to {@code pathSpec}.
     *
     * @param params init-params as name, value, name, value, …
     */
    TestServer filter(String name, String pathSpec, String... params) {
        return filter(name, pathSpec, EnumSet.of(DispatcherType.REQUEST), params);
    }

    /**
     * Declares a {@link RateLimitFilter} mapped to {@code pathSpec} for the given dispatcher types, with
     * {@code async-supported} true as docs/servlet-filter.md declares it.
     *
     * @param params init-params as name, value, name, value, …
     */
    TestServer filter(String name, String pathSpec, EnumSet<DispatcherType> dispatches, String... params) {
        Map<String, String> initParams = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            initParams.put(params[i], params[i + 1]);
        }
        FilterHolder holder = new FilterHolder(RateLimitFilter.class);
        holder.setName(name);
        holder.setInitParameters(initParams);
        holder.setAsyncSupported(true);
        context.addFilter(holder, pathSpec, dispatches);
        return this;
    }

    /** Adds {@code servlet}, with {@code async-supported} true, at {@code pathSpec} (more specific than {@code /*}). */
    TestServer servlet(String name, Servlet servlet, String pathSpec) {
        ServletHolder holder = new ServletHolder(name, servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, pathSpec);
        return this;
    }

    /** Maps the error page of every status and exception to {@code path} (below the context). */
    TestServer errorPage(String path) {
        ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
        errors.addErrorPage(ErrorPageErrorHandler.GLOBAL_ERROR_PAGE, path);
        context.setErrorHandler(errors);
        return this;
    }

    TestServer start() throws Exception {
        server.start();
        return this;
    }

    ServletContext servletContext() {
        return context.getServletContext();
    }

    /**
     * A GET of {@code path} below the context.
     *
     * @param headers request headers as name, value, name, value, …
     */
    HttpResponse<String> get(String path, String... headers) {
        return request("GET", path, headers);
    }

    /**
     * A request without a body of {@code method} (GET, OPTIONS, …) to {@code path} below the context.
     *
     * @param headers request headers as name, value, name, value, …
     */
    HttpResponse<String> request(String method, String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GET as the client {@code client}, forwarded by a proxy on 127.0.0.1 ({@code X-Forwarded-For}). */
    HttpResponse<String> getFrom(String client, String path) {
        return get(path, "X-Forwarded-For", client);
    }

    String baseUri() {
        return "http://127.0.0.1:" + connector.getLocalPort() + CONTEXT_PATH;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop Jetty", e);
        }
    }
}
