package dev.ratelimit.jaxrs;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.GenericType;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Type;
import org.glassfish.hk2.api.ServiceLocator;
import org.glassfish.hk2.utilities.BuilderHelper;
import org.glassfish.hk2.utilities.reflection.ParameterizedTypeImpl;
import org.glassfish.jersey.internal.inject.InjectionManager;
import org.glassfish.jersey.internal.util.collection.Ref;

/**
 * Our default {@link PeerAddress}: the servlet request's remote address in a servlet container, else Grizzly's
 * request's on Jersey's Grizzly HTTP server, else none. Which one applies is decided once, from the container's
 * bindings (a servlet container binds {@code HttpServletRequest}, Jersey's Grizzly container Grizzly's
 * {@code Request}); neither API is needed on the class path unless its container is used.
 */
final class ContainerPeerAddress implements PeerAddress {

    /** Where the peer address comes from. */
    enum Source {
        SERVLET("the servlet request"),
        GRIZZLY("Grizzly's request"),
        NONE("none");

        private final String description;

        Source(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private static final String SERVLET_REQUEST = "jakarta.servlet.http.HttpServletRequest";
    private static final String GRIZZLY_REQUEST = "org.glassfish.grizzly.http.server.Request";
    private static final boolean SERVLET_API = isPresent(SERVLET_REQUEST);

    private final InjectionManager services;
    private volatile Source source;

    ContainerPeerAddress(InjectionManager services) {
        this.services = services;
    }

    /**
     * Where this container's peer addresses come from; decided at the first call (the container's bindings are
     * complete by then: at startup or at the first request).
     */
    Source source() {
        Source s = source;
        if (s == null) {
            s = SERVLET_API && bound(SERVLET_REQUEST) ? Source.SERVLET
                    : Grizzly.AVAILABLE && bound(GRIZZLY_REQUEST) ? Source.GRIZZLY : Source.NONE;
            source = s;
        }
        return s;
    }

    /** Whether the container binds this contract; looks at the descriptors only, creates nothing. */
    private boolean bound(String contract) {
        ServiceLocator locator = services.getInstance(ServiceLocator.class);
        return locator != null && locator.getBestDescriptor(BuilderHelper.createContractFilter(contract)) != null;
    }

    @Override
    public String resolve(ContainerRequestContext request) {
        switch (source()) {
            case SERVLET:
                return Servlet.remoteAddress(services);
            case GRIZZLY:
                return Grizzly.remoteAddress(services);
            default:
                return null;
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, ContainerPeerAddress.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The servlet request; loaded only when the Servlet API is there. */
    private static final class Servlet {

        /**
         * {@code Ref<HttpServletRequest>}: Jersey's servlet container sets this reference to the servlet request when
         * a request begins, so looking it up finds an existing object, where looking up {@code HttpServletRequest}
         * itself makes HK2 build it through a factory in every request, a cost on the path of every limited request.
         * Null when the types are not there, and then the request is looked up directly.
         */
        static final Type REQUEST_REF = requestRefType();

        private static Type requestRefType() {
            try {
                return new GenericType<Ref<HttpServletRequest>>() {
                }.getType();
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }

        static String remoteAddress(InjectionManager services) {
            HttpServletRequest request = null;
            if (REQUEST_REF != null) {
                Ref<HttpServletRequest> ref = services.getInstance(REQUEST_REF);
                request = ref == null ? null : ref.get();
            }
            if (request == null) {
                request = services.getInstance(HttpServletRequest.class);
            }
            return request == null ? null : request.getRemoteAddr();
        }
    }

    /**
     * Grizzly's {@code org.glassfish.grizzly.http.server.Request}, reached by reflection: Jersey's Grizzly HTTP
     * container sets a {@code Ref} to it when a request begins, like the servlet container does.
     */
    private static final class Grizzly {
        static final Type REQUEST_REF;
        static final MethodHandle REMOTE_ADDR;
        static final boolean AVAILABLE;

        static {
            Type ref = null;
            MethodHandle remoteAddr = null;
            try {
                Class<?> request = Class.forName(GRIZZLY_REQUEST, false, ContainerPeerAddress.class.getClassLoader());
                ref = new ParameterizedTypeImpl(Ref.class, request);
                remoteAddr = MethodHandles.publicLookup()
                        .findVirtual(request, "getRemoteAddr", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                ref = null;
                remoteAddr = null;
            }
            REQUEST_REF = ref;
            REMOTE_ADDR = remoteAddr;
            AVAILABLE = remoteAddr != null;
        }

        static String remoteAddress(InjectionManager services) {
            Ref<?> ref = services.getInstance(REQUEST_REF);
            Object request = ref == null ? null : ref.get();
            if (request == null) {
                return null;
            }
            try {
                return (String) REMOTE_ADDR.invokeExact(request);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("Grizzly's Request.getRemoteAddr() failed", e);
            }
        }
    }
}
