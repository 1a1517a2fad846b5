package com.acme;

import dev.ratelimit.servlet.RateLimitFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.util.EnumSet;
import java.util.Set;

public class LimitsInitializer implements ServletContainerInitializer {   // listed in META-INF/services

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        FilterRegistration.Dynamic limit = context.addFilter("api-limit", RateLimitFilter.class);
        limit.setAsyncSupported(true);
        limit.setInitParameter("limit", "100");
        limit.setInitParameter("window", "1m");
        limit.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/legacy/*");
    }
}
