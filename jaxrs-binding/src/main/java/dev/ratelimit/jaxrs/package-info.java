/**
 * Jakarta REST binding: register {@link dev.ratelimit.jaxrs.RateLimitFeature} and annotate resource methods or
 * classes with {@link dev.ratelimit.core.RateLimited}.
 */
package dev.ratelimit.jaxrs;
