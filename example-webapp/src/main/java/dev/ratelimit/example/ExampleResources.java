package dev.ratelimit.example;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/** The other demo endpoints: per-user, several limits, header keys, no limit, and a limit too high to reach. */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class ExampleResources {

    /** Needs HTTP Basic (alice / alice-secret, bob / bob-secret); 3 requests per 10 s per user. */
    @GET
    @Path("me")
    @RateLimited(limit = 3, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_LOG, name = "me")
    public Response me(@Context SecurityContext security) {
        if (security.getUserPrincipal() == null) {
            return loginRequired("alice / alice-secret or bob / bob-secret");
        }
        return Response.ok("{\"user\":\"" + security.getUserPrincipal().getName() + "\"}").build();
    }

    /**
     * Limits per plan: 3 requests per 10 s as declared (alice, plan {@code free}); the plan {@code pro} (bob, by his
     * role) gets 10 per 10 s and the role {@code internal} (carol) is exempt, both from the context-params in web.xml
     * ({@code ratelimit.plans.*}, {@code ratelimit.exempt.roles}), not from code. A sliding log, exact over any 10 s.
     */
    @GET
    @Path("plan")
    @RateLimited(limit = 3, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_LOG, name = "plan")
    public Response plan(@Context SecurityContext security) {
        if (security.getUserPrincipal() == null) {
            return loginRequired("alice / alice-secret, bob / bob-secret or carol / carol-secret");
        }
        String plan = security.isUserInRole("internal") ? "internal" : security.isUserInRole("pro") ? "pro" : "free";
        return Response.ok("{\"user\":\"" + security.getUserPrincipal().getName() + "\",\"plan\":\"" + plan
                + "\"}").build();
    }

    /** Two limits at once: 2 per second and 4 per 10 seconds. */
    @GET
    @Path("multi")
    @RateLimited(limit = 2, window = "1s", algorithm = Algorithm.SLIDING_WINDOW_LOG, name = "multi-per-second")
    @RateLimited(limit = 4, window = "10s", algorithm = Algorithm.SLIDING_WINDOW_LOG, name = "multi-per-10s")
    public String multi() {
        return AlgorithmsResource.ok("multi");
    }

    /** Token bucket, 5 per 10 s, counted per {@code X-Api-Key} (per IP when the header is missing). */
    @GET
    @Path("key/header")
    @RateLimited(limit = 5, window = "10s", algorithm = Algorithm.TOKEN_BUCKET, key = KeySource.HEADER,
            keyHeader = "X-Api-Key", name = "api-key")
    public String keyHeader() {
        return AlgorithmsResource.ok("key/header");
    }

    /** No limit, no headers: the baseline to compare {@code /api/high} with. */
    @GET
    @Path("unlimited")
    public String unlimited() {
        return AlgorithmsResource.ok("unlimited");
    }

    /** Limited so high (1,000,000 per second) that it never denies: measures the limiter's overhead. */
    @GET
    @Path("high")
    @RateLimited(limit = 1_000_000, window = "1s", algorithm = Algorithm.GCRA, name = "high")
    public String high() {
        return AlgorithmsResource.ok("high");
    }

    /** The 401 of an endpoint that needs a login, with the demo users to log in as. */
    private static Response loginRequired(String users) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header("WWW-Authenticate", "Basic realm=\"ratelimit example\"")
                .entity("{\"error\":\"log in as " + users + "\"}").build();
    }
}
