package dev.ratelimit.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/** The protected resource of the tests: answers {@code ok} and counts how often it ran. */
public class OkServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Every invocation of every instance, for tests that load the servlet by class name from a web.xml. */
    static final AtomicInteger ALL_INVOCATIONS = new AtomicInteger();

    private final transient AtomicInteger invocations;

    /** The servlet a web.xml declares; it counts in {@link #ALL_INVOCATIONS} only. */
    public OkServlet() {
        this(new AtomicInteger());
    }

    OkServlet(AtomicInteger invocations) {
        this.invocations = invocations;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        invocations.incrementAndGet();
        ALL_INVOCATIONS.incrementAndGet();
        // the binding contract's /failing: the status the request asks for (a 401 for a failed login, say)
        String status = request.getHeader("X-Respond-Status");
        response.setStatus(status == null ? 200 : Integer.parseInt(status));
        response.setContentType("text/plain; charset=UTF-8");
        response.getWriter().write("ok");
    }
}
