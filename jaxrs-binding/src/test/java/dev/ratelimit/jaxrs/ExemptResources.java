package dev.ratelimit.jaxrs;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitExempt;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * Resources with {@code @RateLimitExempt}: on a method under a class-level limit, inherited from an interface method
 * or an overridden superclass method, on a class whose base class is limited, beaten by a method's own limit; and the
 * declarations that must fail the deployment.
 */
final class ExemptResources {

    private ExemptResources() {
    }

    /** A class-level limit of 1 a minute; {@code health} is exempt, {@code list} takes the class's limit. */
    @Path("orders")
    @RateLimited(limit = 1, window = "1m", name = "orders", algorithm = Algorithm.FIXED_WINDOW)
    public static class Orders {
        @GET
        public String list() {
            return "list";
        }

        @GET
        @Path("health")
        @RateLimitExempt
        public String health() {
            return "healthy";
        }
    }

    /** The exemption on the interface method, every JAX-RS annotation there too. */
    public interface ExemptApi {
        @GET
        @Path("status")
        @RateLimitExempt
        String status();

        @GET
        @Path("data")
        String data();
    }

    /** Limited at class level; {@code status} is exempt by its interface method, which is nearer than the class. */
    @Path("api")
    @RateLimited(limit = 1, window = "1m", name = "api", algorithm = Algorithm.FIXED_WINDOW)
    public static class ImplementsExemptApi implements ExemptApi {
        @Override
        public String status() {
            return "status";
        }

        @Override
        public String data() {
            return "data";
        }
    }

    /** A base class whose resource method is exempt. */
    public abstract static class ExemptBase {
        @GET
        @Path("ping")
        @RateLimitExempt
        public String ping() {
            return "base";
        }

        @GET
        @Path("limited-here")
        @RateLimitExempt
        public String limitedHere() {
            return "base";
        }
    }

    /**
     * Limited at class level; {@code ping} overrides the exempt base method without annotations and stays exempt,
     * {@code limitedHere} declares its own limit, which beats the base method's exemption.
     */
    @Path("sub")
    @RateLimited(limit = 1, window = "1m", name = "sub", algorithm = Algorithm.FIXED_WINDOW)
    public static class OverridesExemptBase extends ExemptBase {
        @Override
        public String ping() {
            return "sub";
        }

        @Override
        @RateLimited(limit = 1, window = "1m", name = "own", algorithm = Algorithm.FIXED_WINDOW)
        public String limitedHere() {
            return "sub";
        }
    }

    /** Class-level limit on a base class. */
    @RateLimited(limit = 1, window = "1m", name = "limited-base", algorithm = Algorithm.FIXED_WINDOW)
    public abstract static class LimitedBase {
    }

    /** Exempt at class level, which is nearer than the base class's limit; {@code own} declares its own limit. */
    @Path("internal")
    @RateLimitExempt
    public static class ExemptClass extends LimitedBase {
        @GET
        public String get() {
            return "internal";
        }

        @GET
        @Path("own")
        @RateLimited(limit = 1, window = "1m", name = "internal-own", algorithm = Algorithm.FIXED_WINDOW)
        public String own() {
            return "own";
        }
    }

    /** Both annotations on one method. */
    @Path("both")
    public static class BothOnMethod {
        @GET
        @RateLimitExempt
        @RateLimited(limit = 1, window = "1m")
        public String get() {
            return "both";
        }
    }

    /** Both annotations on one class. */
    @Path("both-class")
    @RateLimitExempt
    @RateLimited(limit = 1, window = "1m")
    public static class BothOnClass {
        @GET
        @RateLimited(limit = 2, window = "1m")
        public String get() {
            return "both";
        }
    }

    /** One interface exempts {@code get}. */
    public interface ExemptGet {
        @RateLimitExempt
        String get();
    }

    /** Another limits it. */
    public interface LimitedGet {
        @RateLimited(limit = 1, window = "1m")
        String get();
    }

    /** Implements both: which one applies is not guessed. */
    @Path("conflict")
    public static class Conflict implements ExemptGet, LimitedGet {
        @GET
        @Override
        public String get() {
            return "conflict";
        }
    }

    /** An exemption on a sub-resource locator, which no filter sees. */
    @Path("exempt-locator")
    public static class ExemptLocator {
        @Path("items")
        @RateLimitExempt
        public LocatorResources.Items items() {
            return new LocatorResources.Items();
        }
    }
}
