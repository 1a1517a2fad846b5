package dev.ratelimit.jaxrs;

import dev.ratelimit.internal.http.RateLimitHeaders;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.GenericType;
import java.lang.reflect.Type;
import java.util.List;
import org.glassfish.hk2.api.ServiceLocator;
import org.glassfish.hk2.utilities.BuilderHelper;
import org.glassfish.jersey.internal.inject.InjectionManager;
import org.glassfish.jersey.internal.util.collection.Ref;

/**
 * Sets an allowed request's rate-limit headers on the servlet response before the resource runs, in servlet
 * containers. A response Jersey writes replaces them with its own (the response filter puts the same ones), but when
 * the resource throws an exception no {@code ExceptionMapper} handles, Jersey hands the exception to the container,
 * which answers 500 with Jersey's {@code sendError} without running any response filter: the headers set here are what
 * that answer carries, as a mapped exception's response carries them (and as the servlet filter's responses do). Not
 * when the application sets {@code jersey.config.server.response.setStatusOverSendError}, which resets the response.
 */
final class ServletResponseHeaders {

    private static final String SERVLET_RESPONSE = "jakarta.servlet.http.HttpServletResponse";
    private static final boolean SERVLET_API = isPresent(SERVLET_RESPONSE);

    private final InjectionManager services;
    private volatile Boolean servlet;

    ServletResponseHeaders(InjectionManager services) {
        this.services = services;
    }

    /** Sets the headers, with {@code Cache-Control: private}, when the container is a servlet container. */
    void set(List<RateLimitHeaders.Header> headers) {
        Boolean s = servlet;
        if (s == null) {
            ServiceLocator locator = SERVLET_API ? services.getInstance(ServiceLocator.class) : null;
            s = locator != null
                    && locator.getBestDescriptor(BuilderHelper.createContractFilter(SERVLET_RESPONSE)) != null;
            servlet = s;
        }
        if (s) {
            Servlet.set(services, headers);
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, ServletResponseHeaders.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The servlet response; loaded only in servlet containers. */
    private static final class Servlet {

        /** {@code Ref<HttpServletResponse>}, which Jersey's servlet container sets when a request begins. */
        static final Type RESPONSE_REF = new GenericType<Ref<HttpServletResponse>>() {
        }.getType();

        static void set(InjectionManager services, List<RateLimitHeaders.Header> headers) {
            Ref<HttpServletResponse> ref = services.getInstance(RESPONSE_REF);
            HttpServletResponse response = ref == null ? null : ref.get();
            if (response == null || response.isCommitted()) {
                return;
            }
            for (RateLimitHeaders.Header header : headers) {
                response.setHeader(header.name(), header.value());
            }
            response.setHeader(RateLimitHeaders.CACHE_CONTROL,
                    RateLimitHeaders.cacheControl(response.getHeader(RateLimitHeaders.CACHE_CONTROL)));
        }
    }
}
