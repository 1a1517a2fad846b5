/**
 * What the limiter reports: {@link dev.ratelimit.metrics.RateLimitMetrics}, and its Micrometer implementation
 * {@link dev.ratelimit.metrics.MicrometerMetrics} (Micrometer is an optional dependency).
 */
package dev.ratelimit.metrics;
