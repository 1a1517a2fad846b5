package dev.ratelimit.servlet;

import dev.ratelimit.internal.http.RateLimitHeaders;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.util.Collection;

/**
 * The response of a request whose answer carries rate-limit headers, as the rest of the chain sees it: whatever
 * {@code Cache-Control} the servlet sets or adds, the response stays {@code private}
 * ({@link RateLimitHeaders#cacheControl(String)}: the servlet's other directives are kept, {@code public} is dropped),
 * so no shared cache serves one client's quota to another.
 */
final class PrivateResponse extends HttpServletResponseWrapper {

    private static final String CACHE_CONTROL = RateLimitHeaders.CACHE_CONTROL;

    PrivateResponse(HttpServletResponse response) {
        super(response);
    }

    /** Makes {@code response}'s own {@code Cache-Control} (e.g. set by an earlier filter) private. */
    static void makePrivate(HttpServletResponse response) {
        response.setHeader(CACHE_CONTROL, RateLimitHeaders.cacheControl(joined(response.getHeaders(CACHE_CONTROL))));
    }

    @Override
    public void setHeader(String name, String value) {
        if (CACHE_CONTROL.equalsIgnoreCase(name)) {
            super.setHeader(CACHE_CONTROL, RateLimitHeaders.cacheControl(value));
        } else {
            super.setHeader(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (CACHE_CONTROL.equalsIgnoreCase(name)) {
            String current = joined(getHeaders(CACHE_CONTROL));
            String combined = current == null ? value : value == null || value.isBlank() ? current
                    : current + ", " + value;
            super.setHeader(CACHE_CONTROL, RateLimitHeaders.cacheControl(combined));
        } else {
            super.addHeader(name, value);
        }
    }

    /** Several field lines as one value, joined with commas; null when there is none. */
    private static String joined(Collection<String> values) {
        return values == null || values.isEmpty() ? null : String.join(", ", values);
    }
}
