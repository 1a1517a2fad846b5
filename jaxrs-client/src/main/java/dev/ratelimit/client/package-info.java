/**
 * The client side of the rate-limit contract: {@link dev.ratelimit.client.RateLimitClientFilter}, registered on a
 * Jakarta REST {@code Client}, obeys the rate-limit fields of any server. Depends on the Jakarta REST API only.
 */
package dev.ratelimit.client;
