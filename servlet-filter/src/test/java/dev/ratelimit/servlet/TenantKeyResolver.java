package dev.ratelimit.servlet;

import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.RequestView;
import java.util.List;

/** A {@code CUSTOM} key for the tests: the {@code X-Tenant} header, as an application's resolver might read it. */
public class TenantKeyResolver implements KeyResolver {

    @Override
    public String resolve(RequestView request) {
        List<String> tenant = request.headerValues("X-Tenant");
        return tenant.isEmpty() ? null : "tenant-" + tenant.get(0);
    }
}
