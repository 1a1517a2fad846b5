package dev.ratelimit.bindingcontract;

import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.RequestView;
import java.util.List;

/**
 * The {@code CUSTOM} key of the binding contract's {@code /custom} endpoint: {@code tenant-<first X-Tenant value>},
 * or none (so the request counts by its client IP) without the header. A public class with a public no-argument
 * constructor, so the servlet filter can load it by name and the JAX-RS binding can bind an instance.
 */
public class TenantKeyResolver implements KeyResolver {

    @Override
    public String resolve(RequestView request) {
        List<String> tenant = request.headerValues(BindingContract.TENANT_HEADER);
        return tenant.isEmpty() ? null : "tenant-" + tenant.get(0);
    }
}
