/**
 * {@link dev.ratelimit.redis.RedisRateLimiter}: decisions made atomically inside Redis by one Lua script call per
 * request, so all instances of an application share each limit. Runs on any Jedis {@code UnifiedJedis} client
 * (single Redis, Sentinel or Cluster). Redis errors are thrown; see {@link dev.ratelimit.fallback} to keep deciding
 * while Redis is unavailable.
 */
package dev.ratelimit.redis;
