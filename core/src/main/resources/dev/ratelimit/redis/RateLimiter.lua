-- The prelude of the scripts the Redis limiter runs, one EVALSHA per request. All rules of a request are checked first
-- and consumed only if all pass.
--
-- KEYS[i]  state key of rule i (all keys share one Redis Cluster hash tag)
-- ARGV[1]  caller's time in microseconds, or "" to use the Redis server's TIME (production)
-- ARGV[1 + 4(i-1) + 1..4]  rule i: algorithm index (1..5), limit, window (us), cost
-- Reply: per rule, four numbers: allowed (1/0), remaining, reset (us), retry-after (us). Nothing else: every number
-- an argument or a reply holds costs Redis time on every call.
--
-- Each algorithm file (named like its in-memory twin) holds two blocks of code. The `-- @check` block reads the state
-- of `key` at time `t` for a request of `cost` under `limit` per `window`, and sets `ok`, `remaining`, `reset`,
-- `retry` and up to four values `a`..`d` for the `-- @commit` block, which takes the permits and sets `remaining` and
-- `reset` to the values after it. `committing` is true when a passing check is certainly committed (one rule), so
-- values the commit replaces need not be computed. Numbers handed to Redis are formatted with '%d': every value the
-- algorithms store is a whole number below 2^53 (times in us, counts, tokens * window), which '%d' writes exactly
-- (Redis itself would format a Lua number with 14 significant digits). Except for the log's sorted set, a state is
-- one string of numbers separated by spaces, read with GET and written with SET ... PX: one command and one key
-- encoding fewer than a hash and its PEXPIRE, measured at about 13 % less Redis time per call.
--
-- A script is this prelude, then (in the script of one algorithm) RateLimiterOneRule.lua with that algorithm's
-- blocks inline, then RateLimiterMain.lua with every algorithm of the script wrapped as functions by
-- RateLimiterFunctions.lua. Redis runs a script's whole body on every call on its single thread, so the common
-- one-rule call runs the algorithm inline and returns before any function or table but its reply is made.
local now = tonumber(ARGV[1])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
