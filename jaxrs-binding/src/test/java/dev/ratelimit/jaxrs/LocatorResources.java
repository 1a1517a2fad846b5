package dev.ratelimit.jaxrs;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * Sub-resource locators: JAX-RS filters never see a locator (Jersey does not pass locators to a
 * {@code DynamicFeature}), so a {@code @RateLimited} that would apply to one fails the deployment; limits belong on
 * the sub-resource.
 */
final class LocatorResources {

    private LocatorResources() {
    }

    /** A sub-resource with a limit of its own. */
    public static class Items {
        @GET
        @RateLimited(limit = 2, window = "1m", name = "items", algorithm = Algorithm.FIXED_WINDOW)
        public String list() {
            return "items";
        }

        @GET
        @Path("free")
        public String free() {
            return "free";
        }
    }

    /** Locators whose sub-resources carry the limits: the supported way. */
    @Path("shop")
    public static class Shop {
        @Path("items")
        public Items items() {
            return new Items();
        }

        /** The sub-resource's class is known only when the locator runs. */
        @Path("anything")
        public Object anything() {
            return new Items();
        }
    }

    /** {@code @RateLimited} on the locator method itself. */
    @Path("limited-locator")
    public static class LimitedLocator {
        @Path("items")
        @RateLimited(limit = 5, window = "1m")
        public Items items() {
            return new Items();
        }
    }

    /** A class-level limit on a class whose only method is a locator. */
    @Path("class-limited-locator")
    @RateLimited(limit = 5, window = "1m")
    public static class ClassLimitedLocator {
        @Path("items")
        public Items items() {
            return new Items();
        }
    }

    /** An invalid limit on a sub-resource method. */
    public static class BadItems {
        @GET
        @RateLimited(limit = 5, window = "soon")
        public String list() {
            return "never";
        }
    }

    /** Reaches {@link BadItems} through a locator whose return type names it. */
    @Path("bad-items")
    public static class BadItemsLocator {
        @Path("items")
        public BadItems items() {
            return new BadItems();
        }
    }
}
