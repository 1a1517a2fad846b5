package dev.ratelimit.jaxrs;

import dev.ratelimit.core.ClientKeys;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimited;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.internal.inject.InjectionManager;

/**
 * Reads {@link RateLimited} once per resource method at deployment — the method's annotations, else its class's —
 * and attaches a {@link RateLimitFilter} with the parsed rules only to limited methods. Invalid annotations throw,
 * which stops the application from starting, with the class, method and value in the message.
 */
final class RateLimitDynamicFeature implements DynamicFeature {

    private final InjectionManager services;
    private final PeerAddressCheck check;

    RateLimitDynamicFeature(InjectionManager services, PeerAddressCheck check) {
        this.services = services;
        this.check = check;
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Method method = resourceInfo.getResourceMethod();
        Class<?> resource = resourceInfo.getResourceClass();
        if (method == null || resource == null) {
            return;
        }
        RateLimited[] annotations = method.getAnnotationsByType(RateLimited.class);
        if (annotations.length == 0) {
            annotations = resource.getAnnotationsByType(RateLimited.class);
        }
        if (annotations.length == 0) {
            return;
        }
        String where = resource.getName() + "#" + method.getName();
        String defaultName = defaultName(where);
        List<RateLimitRule> rules = new ArrayList<>(annotations.length);
        for (RateLimited annotation : annotations) {
            rules.add(RateLimitRule.from(annotation, defaultName, where));
        }
        try {
            ClientKeys.checkRules(rules);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid @RateLimited on " + where + ": " + e.getMessage(), e);
        }
        context.register(new RateLimitFilter(rules, services));
        check.limited(where);
    }

    /** {@code com.acme.Api#search}, with anything outside visible ASCII replaced so it is a valid rule name. */
    static String defaultName(String where) {
        StringBuilder name = new StringBuilder(where.length());
        for (int i = 0; i < where.length() && name.length() < RateLimitRule.MAX_NAME_LENGTH; i++) {
            char c = where.charAt(i);
            name.append(c > 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        }
        return name.toString();
    }
}
