package dev.ratelimit.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An asynchronous resource: {@code startAsync()}, then, on a container thread and only once {@code service} has
 * returned, either answers {@code async} and completes, or (with {@code ?then=dispatch}) dispatches the request back
 * to itself, and answers {@code async dispatch} in that ASYNC dispatch.
 */
public class AsyncServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** REQUEST dispatches of every instance, for tests that load the servlet by class name from a web.xml. */
    static final AtomicInteger ALL_INVOCATIONS = new AtomicInteger();

    /** REQUEST dispatches that reached this servlet. */
    final transient AtomicInteger invocations = new AtomicInteger();
    /** ASYNC dispatches that reached this servlet. */
    final transient AtomicInteger asyncDispatches = new AtomicInteger();

    /** The servlet a web.xml declares (with {@code async-supported} true). */
    public AsyncServlet() {
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            asyncDispatches.incrementAndGet();
            write(response, "async dispatch");
            return;
        }
        invocations.incrementAndGet();
        ALL_INVOCATIONS.incrementAndGet();
        boolean dispatch = "dispatch".equals(request.getParameter("then"));
        CountDownLatch returned = new CountDownLatch(1);
        AsyncContext async = request.startAsync();
        async.start(() -> {
            try {
                if (!returned.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("service() did not return");
                }
                if (dispatch) {
                    async.dispatch();
                } else {
                    write((HttpServletResponse) async.getResponse(), "async");
                    async.complete();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        returned.countDown();
    }

    private static void write(HttpServletResponse response, String body) throws IOException {
        response.setStatus(200);
        response.setContentType("text/plain; charset=UTF-8");
        response.getWriter().write(body);
    }
}
