/**
 * Jakarta REST binding: enforces {@link dev.ratelimit.core.RateLimited} on resource methods and classes.
 *
 * <p>The binding is delivered by the JAX-RS issue; this module so far only fixes its place in the build.
 */
package dev.ratelimit.jaxrs;
