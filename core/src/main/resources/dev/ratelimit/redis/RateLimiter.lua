-- The one script the Redis limiter runs per request (EVALSHA): the prelude below, then every algorithm file, then
-- the decision loop at the end. All rules of a request are checked first and consumed only if all pass.
--
-- KEYS[i]  state key of rule i (all keys share one Redis Cluster hash tag)
-- ARGV[1]  caller's time in microseconds, or "" to use the Redis server's TIME (production)
-- ARGV[2 + 4(i-1) + 1..4]  rule i: algorithm index (1..5), limit, window (us), cost
-- Reply: {all allowed (1/0), now (us), then per rule: allowed (1/0), remaining, reset (us), retry-after (us)}
local ALGORITHMS = {}

-- numbers handed to Redis as strings: Redis would otherwise format them with 14 significant digits
local function num(x)
  return string.format('%.17g', x)
end

-- TTL in milliseconds, rounded up, at least 1 ms
local function expire(key, micros)
  redis.call('PEXPIRE', key, math.max(1, math.ceil(micros / 1000)))
end
