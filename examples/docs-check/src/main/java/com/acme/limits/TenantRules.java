package com.acme.limits;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.http.RulesResolver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Enterprise tenants get ten times the declared limits; the tenant header is set by our gateway. */
public class TenantRules implements RulesResolver {

    private final Map<List<RateLimitRule>, List<RateLimitRule>> tenfold = new ConcurrentHashMap<>();

    @Override
    public List<RateLimitRule> resolve(RequestView request, List<RateLimitRule> declared) {
        List<String> tier = request.headerValues("X-Tenant-Tier");
        if (tier.isEmpty() || !tier.get(0).equals("enterprise")) {
            return declared;
        }
        // built once per endpoint, then reused: a resolver runs on every request
        return tenfold.computeIfAbsent(declared, rules -> rules.stream()
                .map(r -> r.toBuilder().limit(Math.min(r.limit() * 10, RateLimitRule.MAX_LIMIT)).build())
                .toList());
    }
}
