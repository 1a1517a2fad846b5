package dev.ratelimit.example;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.KeySource;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/login} with the form fields {@code user} and {@code password} (the example's users): 200 for the
 * right password, 401 else. Only failed attempts count, 3 per 60 s per client IP: after three the next attempt is
 * refused with 429, even with the right password, and successful logins never count ({@code countWhen = "401"}).
 */
@Path("login")
public class LoginResource {

    /**
     * Checks a login.
     *
     * @param user     the user
     * @param password the password
     * @return 200 with the user, or 401
     */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @RateLimited(name = "login", limit = 3, window = "60s", algorithm = Algorithm.FIXED_WINDOW, key = KeySource.IP,
            countWhen = "401")
    public Response login(@FormParam("user") String user, @FormParam("password") String password) {
        if (!BasicAuthFilter.valid(user, password)) {
            return Response.status(401).type(MediaType.APPLICATION_JSON)
                    .entity("{\"error\":\"wrong user or password\"}").build();
        }
        return Response.ok("{\"user\":\"" + user + "\"}").build();
    }
}
