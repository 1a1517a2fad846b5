package com.acme;

import dev.ratelimit.client.RateLimitClientFilter;
import dev.ratelimit.client.RateLimitState;
import dev.ratelimit.client.RateLimitedException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import java.net.URI;
import java.time.Duration;

public class SearchClient {

    private final RateLimitClientFilter limits = RateLimitClientFilter.custom()
            .maxWait(Duration.ofSeconds(10))   // wait at most 10 s before a request (default 30 s)
            .retries(2)                        // re-send an idempotent request after a 429, at most twice (default 0)
            .build();
    private final Client client = ClientBuilder.newClient().register(limits);   // one client, shared by threads

    public String search(String q) {
        try {
            return client.target("https://api.example.com/search").queryParam("q", q)
                    .request().get(String.class);
        } catch (RateLimitedException e) {
            // not sent: the quota is used up for longer than 10 s
            throw new IllegalStateException("come back in " + e.retryAfter().toSeconds() + " s ("
                    + e.policy().orElse("Retry-After") + ")", e);
        }
    }

    public void logQuota() {
        RateLimitState state = limits.state(URI.create("https://api.example.com"));
        for (RateLimitState.Policy p : state.policies()) {
            System.out.printf("%s: %s of %s left, window ends in %s%n", p.name(), p.remaining(), p.quota(),
                    p.effectiveWindow());
        }
    }
}
