package dev.ratelimit.servlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** A servlet made of a lambda, for tests that forward, include or fail. */
final class ServletOf extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** What the servlet does. */
    @FunctionalInterface
    interface Body {
        void service(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
    }

    private final transient Body body;

    ServletOf(Body body) {
        this.body = body;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        body.service(request, response);
    }
}
