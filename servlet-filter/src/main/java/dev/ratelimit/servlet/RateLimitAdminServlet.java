package dev.ratelimit.servlet;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.internal.config.RateLimitSettings;
import dev.ratelimit.internal.http.AdminOperations;
import dev.ratelimit.metrics.RateLimitMetrics;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

/**
 * The admin endpoint for applications limited by {@link RateLimitFilter} alone (a JAX-RS application registers
 * {@code dev.ratelimit.jaxrs.RateLimitAdminResource} instead): mapped by the application, e.g. to
 * {@code /admin/ratelimit/*}, it answers {@code GET /{rule}/{key}} (the client's state, consuming nothing),
 * {@code DELETE /{rule}/{key}} (reset), {@code POST /{rule}/{key}/block?seconds=N} and
 * {@code POST /{rule}/{key}/refund?permits=N}, for callers with the role of its init-param {@code role} (else of the
 * setting {@code ratelimit.admin.role}); without a role it fails to start. It acts on the web application's limiter
 * and rules as the bindings publish them. See docs/operating.md.
 */
public class RateLimitAdminServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The init-param naming the role a caller must have. */
    public static final String ROLE = "role";

    private transient String role;

    /** Made by the container. */
    public RateLimitAdminServlet() {
    }

    @Override
    public void init() throws ServletException {
        String own = getInitParameter(ROLE);
        if (own != null && !own.isBlank()) {
            role = own.strip();
        } else {
            try {
                role = RateLimitSettings.load(getServletContext()::getInitParameter).adminRole();
            } catch (IllegalArgumentException e) {
                throw new ServletException("Rate-limit admin servlet '" + getServletName() + "': " + e.getMessage());
            }
        }
        if (role == null) {
            throw new ServletException("Rate-limit admin servlet '" + getServletName() + "': no role is set (its "
                    + "init-param " + ROLE + " or the setting " + RateLimitSettings.ADMIN_ROLE + "); without one it "
                    + "would let anybody reset and block clients");
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        List<String> path = segments(request.getPathInfo());
        String operation = null;
        if (path.size() == 2 && method.equals("GET")) {
            operation = "peek";
        } else if (path.size() == 2 && method.equals("DELETE")) {
            operation = "reset";
        } else if (path.size() == 3 && method.equals("POST") && path.get(2).equals("block")) {
            operation = "block";
        } else if (path.size() == 3 && method.equals("POST") && path.get(2).equals("refund")) {
            operation = "refund";
        }
        Object limiter = getServletContext().getAttribute(RateLimitFilter.LIMITER_ATTRIBUTE);
        Object rules = getServletContext().getAttribute(RuleOverrides.ATTRIBUTE);
        AdminOperations.Answer answer;
        if (!(limiter instanceof RateLimiter) || !(rules instanceof RuleOverrides)) {
            answer = new AdminOperations.Answer(503, null, null); // no rate-limit binding has started
        } else if (operation == null) {
            answer = new AdminOperations.Answer(404, null, null);
        } else {
            Object metrics = getServletContext().getAttribute(RateLimitFilter.METRICS_ATTRIBUTE);
            answer = new AdminOperations((RateLimiter) limiter, (RuleOverrides) rules, role,
                    metrics instanceof RateLimitMetrics ? (RateLimitMetrics) metrics : RateLimitMetrics.defaults())
                    .perform(new ServletRequestView(request), operation, path.get(0), path.get(1),
                            request.getParameter(operation.equals("block") ? "seconds" : "permits"),
                            request.getRequestURI());
        }
        response.setStatus(answer.status());
        response.setHeader("Cache-Control", "no-store");
        if (answer.body() != null) {
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            response.setContentType(answer.contentType());
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }

    /** The path's segments after the servlet's mapping, decoded by the container. */
    private static List<String> segments(String pathInfo) {
        if (pathInfo == null || pathInfo.length() < 2) {
            return Collections.emptyList();
        }
        return List.of(pathInfo.substring(1).split("/", -1));
    }
}
