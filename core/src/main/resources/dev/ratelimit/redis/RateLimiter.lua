-- The prelude of the scripts the Redis limiter runs, one EVALSHA per request: this file, then the algorithm files,
-- then the decision loop (RateLimiterMain.lua). A request whose rules all use one algorithm runs the script made of
-- that algorithm's file alone; a request mixing algorithms runs the script with all five. All rules of a request
-- are checked first and consumed only if all pass.
--
-- KEYS[i]  state key of rule i (all keys share one Redis Cluster hash tag)
-- ARGV[1]  caller's time in microseconds, or "" to use the Redis server's TIME (production)
-- ARGV[2 + 4(i-1) + 1..4]  rule i: algorithm index (1..5), limit, window (us), cost
-- Reply: {all allowed (1/0), now (us), then per rule: allowed (1/0), remaining, reset (us), retry-after (us)}
--
-- Each algorithm file defines CHECK[index](key, t, limit, window, cost, committing), which reads the state and returns
-- ok, remaining, reset, retry and up to four values for COMMIT[index](key, t, limit, window, cost, a, b, c, d),
-- which takes the permits and returns remaining and reset after it. `committing` is true when a passing check is
-- certainly committed (one rule), so values the commit replaces need not be computed. Plain functions and multiple
-- return values: besides the functions and the two tables this chunk makes each time it runs, a one-rule call makes
-- only its reply table (the script runs on Redis's single thread, so its cost is everyone's).
local CHECK, COMMIT = {}, {}

-- numbers handed to Redis as strings: Redis would otherwise format them with 14 significant digits. Every value
-- the algorithms store is a whole number below 2^53 (times in us, counts, tokens * window), so '%d' writes it exactly
-- (and is cheaper than '%.17g').
local function num(x)
  return string.format('%d', x)
end

-- TTL in milliseconds, rounded up, at least 1 ms
local function expire(key, micros)
  redis.call('PEXPIRE', key, math.max(1, math.ceil(micros / 1000)))
end
