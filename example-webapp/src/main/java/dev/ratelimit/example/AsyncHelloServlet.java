package dev.ratelimit.example;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /legacy/async}: an asynchronous servlet ({@code startAsync()}, answered from another thread), limited by
 * the same servlet filter as {@code /legacy/hello}, which is therefore declared {@code async-supported} in
 * {@code web.xml}.
 */
public class AsyncHelloServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        AsyncContext async = request.startAsync();
        async.start(() -> {
            try {
                HttpServletResponse later = (HttpServletResponse) async.getResponse();
                later.setContentType("application/json");
                later.setCharacterEncoding("UTF-8");
                later.getWriter().write("{\"endpoint\":\"legacy/async\",\"ok\":true}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                async.complete();
            }
        });
    }
}
