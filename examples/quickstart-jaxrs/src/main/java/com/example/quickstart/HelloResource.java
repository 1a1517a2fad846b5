package com.example.quickstart;

import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("hello")
public class HelloResource {

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @RateLimited(limit = 5, window = "1m", name = "hello")
    public String hello() {
        return "Hello, world!\n";
    }
}
