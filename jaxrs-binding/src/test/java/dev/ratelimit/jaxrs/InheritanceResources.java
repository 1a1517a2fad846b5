package dev.ratelimit.jaxrs;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/**
 * Resources whose {@code @RateLimited} is inherited the way JAX-RS inherits its own annotations (spec section 3.6):
 * from an interface method, an overridden superclass method, a base class or an interface type; and overloaded
 * methods that need distinct default names.
 */
final class InheritanceResources {

    private InheritanceResources() {
    }

    /** Every JAX-RS annotation and the limit on the interface method; the implementation has none. */
    public interface LimitedApi {
        @GET
        @Path("a")
        @RateLimited(limit = 2, window = "1m", name = "iface-method", algorithm = Algorithm.FIXED_WINDOW)
        String a();

        @GET
        @Path("b")
        String b();
    }

    @Path("iface")
    public static class ImplementsLimitedApi implements LimitedApi {
        @Override
        public String a() {
            return "a";
        }

        @Override
        public String b() {
            return "b";
        }
    }

    /** A base class whose resource method carries the limit; the subclass overrides it without annotations. */
    public abstract static class LimitedBase {
        @GET
        @Path("get")
        @RateLimited(limit = 2, window = "1m", name = "base-method", algorithm = Algorithm.FIXED_WINDOW)
        public String get() {
            return "base";
        }
    }

    @Path("override")
    public static class OverridesLimitedBase extends LimitedBase {
        @Override
        public String get() {
            return "sub";
        }
    }

    /** Class-level limit on an abstract base class. */
    @RateLimited(limit = 2, window = "1m", name = "base-class", algorithm = Algorithm.FIXED_WINDOW)
    public abstract static class ClassLimitedBase {
    }

    @Path("base-class")
    public static class ExtendsClassLimitedBase extends ClassLimitedBase {
        @GET
        public String get() {
            return "ok";
        }
    }

    /** Class-level limit on an interface type. */
    @RateLimited(limit = 2, window = "1m", name = "iface-type", algorithm = Algorithm.FIXED_WINDOW)
    public interface ClassLimitedApi {
        @GET
        String get();
    }

    @Path("iface-type")
    public static class ImplementsClassLimitedApi implements ClassLimitedApi {
        @Override
        public String get() {
            return "ok";
        }
    }

    /**
     * Nearest declaration wins: the method's own limit beats the interface method's, and an interface method's limit
     * beats the class-level limit of the implementing class.
     */
    @Path("nearest")
    @RateLimited(limit = 9, window = "1m", name = "nearest-class", algorithm = Algorithm.FIXED_WINDOW)
    public static class Nearest implements LimitedApi {
        @Override
        @RateLimited(limit = 3, window = "1m", name = "nearest-own", algorithm = Algorithm.FIXED_WINDOW)
        public String a() {
            return "a";
        }

        @Override
        public String b() {
            return "b";
        }
    }

    /** A generic interface: the implementation's {@code create(String)} implements {@code create(T)}. */
    public interface Creator<T> {
        @POST
        @RateLimited(limit = 2, window = "1m", name = "generic", algorithm = Algorithm.FIXED_WINDOW)
        String create(T body);
    }

    @Path("generic")
    public static class StringCreator implements Creator<String> {
        @Override
        public String create(String body) {
            return "created " + body;
        }
    }

    /** Three methods named {@code over}: each counts on its own under its default name. */
    @Path("over")
    public static class Overloads {
        @GET
        @Path("a")
        @RateLimited(limit = 2, window = "1m", algorithm = Algorithm.FIXED_WINDOW)
        public String over() {
            return "get a";
        }

        @GET
        @Path("b/{id}")
        @RateLimited(limit = 2, window = "1m", algorithm = Algorithm.FIXED_WINDOW)
        public String over(@PathParam("id") String id) {
            return "get b " + id;
        }

        @POST
        @Path("a")
        @RateLimited(limit = 2, window = "1m", algorithm = Algorithm.FIXED_WINDOW)
        public String over(String body, @jakarta.ws.rs.QueryParam("n") int n) {
            return "post a";
        }
    }

    /** Two unrelated interfaces declare different limits for one method: which one applies is not guessed. */
    public interface LimitedOne {
        @GET
        @RateLimited(limit = 1, window = "1m", name = "one")
        String get();
    }

    public interface LimitedTwo {
        @RateLimited(limit = 2, window = "1m", name = "two")
        String get();
    }

    @Path("conflict")
    public static class Conflict implements LimitedOne, LimitedTwo {
        @Override
        public String get() {
            return "?";
        }
    }
}
