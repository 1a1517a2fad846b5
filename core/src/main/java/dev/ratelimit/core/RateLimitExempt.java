package dev.ratelimit.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts a JAX-RS resource method, or every method of a class that declares no limit of its own, from the rate
 * limits that would otherwise reach it from its class, superclasses or interfaces: an exempt method has no rate-limit
 * filter at all, so its requests are never counted, never refused, reach no store and carry no rate-limit headers.
 *
 * <pre>{@code
 * @Path("orders")
 * @RateLimited(limit = 100, window = "1m")
 * public class Orders {
 *     @GET public List<Order> list() { … }            // 100 per minute, from the class
 *
 *     @GET @Path("health") @RateLimitExempt            // never limited
 *     public String health() { … }
 * }
 * }</pre>
 *
 * <p>It is found like {@link RateLimited}, and in the same walk: the nearest declaration wins, whichever of the two
 * it is. A method's own annotation comes first, then the methods it overrides (superclasses, nearest first), then the
 * interface methods it implements, then its resource class, the superclasses and the interface types. So
 * {@code @RateLimitExempt} on a method beats a class-level {@code @RateLimited}, and a method's own
 * {@code @RateLimited} beats a class-level {@code @RateLimitExempt}: the most specific declaration wins. Both on the
 * same method or class fail the application at deployment, naming it, as do two equally near interfaces of which one
 * exempts and the other limits.
 *
 * <p>Read once, at deployment; the startup listing shows the method as {@code EXEMPT}. Clients can be exempted by
 * configuration too, in both bindings (networks, principals, roles: {@code ratelimit.exempt.*}, see
 * {@code docs/configuration.md}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimitExempt {
}
