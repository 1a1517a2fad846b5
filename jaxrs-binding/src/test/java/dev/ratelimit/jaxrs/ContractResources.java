package dev.ratelimit.jaxrs;

import dev.ratelimit.bindingcontract.BindingContract;
import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimited;
import jakarta.annotation.Priority;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** The binding contract's catalogue ({@link BindingContract}) as annotated resources, and its authentication. */
final class ContractResources {

    /** Invocations of the catalogue's methods; reset by each deployment. */
    static final AtomicInteger INVOCATIONS = new AtomicInteger();

    private ContractResources() {
    }

    private static String ok() {
        INVOCATIONS.incrementAndGet();
        return "ok";
    }

    /** {@code /one}: a class-level limit, and an {@code OPTIONS} method of its own under it. */
    @Path("one")
    @RateLimited(limit = 3, window = "1h", name = "one", algorithm = Algorithm.TOKEN_BUCKET)
    public static class One {
        @GET
        public String get() {
            return ok();
        }

        @OPTIONS
        public String options() {
            return ok();
        }
    }

    /** The rest of the catalogue. */
    @Path("")
    public static class Catalogue {
        @GET
        @Path("teapot")
        @RateLimited(limit = 1, window = "1h", name = "teapot", algorithm = Algorithm.FIXED_WINDOW)
        public String teapot() {
            return ok();
        }

        @GET
        @Path("two")
        @RateLimited(limit = 2, window = "1h", name = "two-short", algorithm = Algorithm.FIXED_WINDOW)
        @RateLimited(limit = 4, window = "1d", name = "two-long", algorithm = Algorithm.FIXED_WINDOW)
        public String two() {
            return ok();
        }

        @GET
        @Path("ip")
        @RateLimited(limit = 2, window = "1h", name = "by-ip", algorithm = Algorithm.FIXED_WINDOW, key = KeySource.IP)
        public String ip() {
            return ok();
        }

        @GET
        @Path("by-header")
        @RateLimited(limit = 2, window = "1h", name = "by-header", algorithm = Algorithm.FIXED_WINDOW,
                key = KeySource.HEADER, keyHeader = BindingContract.API_KEY_HEADER)
        public String byHeader() {
            return ok();
        }

        @GET
        @Path("custom")
        @RateLimited(limit = 2, window = "1h", name = "by-tenant", algorithm = Algorithm.FIXED_WINDOW,
                key = KeySource.CUSTOM)
        public String custom() {
            return ok();
        }

        @GET
        @Path("cost")
        @RateLimited(limit = 5, window = "1h", name = "cost", algorithm = Algorithm.FIXED_WINDOW, cost = 2)
        public String cost() {
            return ok();
        }

        @GET
        @Path("shared-a")
        @RateLimited(limit = 5, window = "1h", name = "shared", algorithm = Algorithm.FIXED_WINDOW, cost = 2)
        public String sharedA() {
            return ok();
        }

        @GET
        @Path("shared-b")
        @RateLimited(limit = 5, window = "1h", name = "shared", algorithm = Algorithm.FIXED_WINDOW)
        public String sharedB() {
            return ok();
        }

        @GET
        @Path("failing")
        @RateLimited(limit = 2, window = "1h", name = "failing", algorithm = Algorithm.FIXED_WINDOW, countWhen = "4xx")
        public Response failing(@HeaderParam("X-Respond-Status") String status) {
            return Response.status(status == null ? 200 : Integer.parseInt(status)).entity(ok()).build();
        }

        @GET
        @Path("unlimited")
        public String unlimited() {
            return ok();
        }
    }

    /**
     * Authenticates {@value BindingContract#USER_HEADER} as the principal, in the comma-separated roles of
     * {@value BindingContract#ROLE_HEADER}, standing in for a real authentication
     * filter (it runs before the binding's filter).
     */
    @Priority(Priorities.AUTHENTICATION)
    public static class TestAuthentication implements ContainerRequestFilter {
        @Override
        public void filter(ContainerRequestContext request) {
            String user = request.getHeaderString(BindingContract.USER_HEADER);
            if (user == null) {
                return;
            }
            Principal principal = () -> user;
            String roleHeader = request.getHeaderString(BindingContract.ROLE_HEADER);
            Set<String> roles = roleHeader == null ? Set.of() : Arrays.stream(roleHeader.split(","))
                    .map(String::strip).collect(Collectors.toSet());
            request.setSecurityContext(new SecurityContext() {
                @Override
                public Principal getUserPrincipal() {
                    return principal;
                }

                @Override
                public boolean isUserInRole(String role) {
                    return roles.contains(role);
                }

                @Override
                public boolean isSecure() {
                    return false;
                }

                @Override
                public String getAuthenticationScheme() {
                    return "test";
                }
            });
        }
    }
}
