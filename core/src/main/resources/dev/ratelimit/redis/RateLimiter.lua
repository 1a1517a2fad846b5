-- The prelude of the scripts the Redis limiter runs, one EVALSHA per request. All rules of a request are checked first
-- and consumed only if all pass.
--
-- KEYS[i]  state key of rule i (on a single Redis any keys; on a cluster all keys of one call share a hash tag)
-- ARGV[1]  "" to use the Redis server's TIME (production); for tests the caller's time in microseconds, optionally
--          followed by "/<ms>", a padding added to every key's TTL so keys do not expire in real time
-- ARGV[2]  mode: "" (check every rule, commit all if all pass), "peek" (check only, never commit, never block),
--          "check" (check only, never commit; a denial under a rule that blocks after one blocks, as with "") or
--          "timed" (as "", and each rule's reply also carries the effective time its decision was made at)
-- ARGV[2 + 4(i-1) + 1..4]  rule i: algorithm index (1..5), limit, window (us), cost; the limit is
--          "<limit>:<counter limit>:<counter window>" for a rule that counts on the counter of another limit or window
--          (an operator's override of a declared rule keeps the declared rule's key); the cost is
--          "<cost>:<block duration (us)>" for a rule that blocks the client after a denial (see `penalized`)
-- Reply: per rule, five numbers: allowed (1/0), remaining, reset (us), retry-after (us), more (us: when allowed, until
-- more than `remaining` permits are available, i.e. until a request of cost remaining + 1 could pass, 0 when
-- `remaining` is the limit; when denied, the retry-after) (and in mode "timed" a sixth: the effective time). Nothing
-- else: every number an argument or a reply holds costs Redis time on every call.
--
-- A changed rule: a state holds the numbers of its algorithm, then, only when they differ from the counter's own
-- limit and window (cl, cw: those in the key), the limit and window it was written under. A check that finds a state
-- written under other values than the rule's carries it over to the rule's (each algorithm says how: what the old rule
-- counts as used stays used) and writes it at once, whether or not the request passes, so the next call and the
-- retry-after read it under the new rule. Without a change no state holds more than before.
--
-- Each algorithm file (named like its in-memory twin) holds two blocks of code. The `-- @check` block reads the state
-- of `key` at time `t` for a request of `cost` under `limit` per `window`, and sets `ok`, `remaining`, `reset`,
-- `retry` and up to four values `a`..`d` for the `-- @commit` block (`a` is always the effective time, see below),
-- which takes the permits and sets `remaining`, `reset` and `more` (from the state after it: until a request of cost
-- remaining + 1 could pass, the retry-after the check would give it) to the values after it. `committing` is true when a
-- passing check is certainly committed (one rule), so values the commit replaces need not be computed.
--
-- A blocked state (RateLimiter#block, or a denial under a rule that blocks after one) replaces the algorithm's state:
-- the string "B<until>" (us), written with SET ... PX so Redis forgets it when the block ends, or, for the log, one
-- member 'block' scored <until>. Every check first recognises a block: while until > now the request is denied with
-- remaining 0 and reset and retry-after until - now (from now, whatever the state's time was); at or after until the
-- state is a fresh one (a block holds no commit time, so it never moves the effective time). A commit replaces it.
--
-- Time never moves back for a state: every state holds the time of its last commit, and a decision is made at the
-- effective time max(now, that time), so a clock that steps back (a failover to a replica whose clock is behind)
-- neither reopens a window nor refills a bucket. The reply's reset and retry-after still count from now, so a client
-- told to wait that long is not turned away again. A state is forgotten (its TTL) once it equals a fresh one.
--
-- Arithmetic is exact for every value the rules accept (limits up to 2^31 - 1, windows up to 366 days, costs up to
-- the limit, which every rule guarantees):
-- Lua numbers are doubles, exact for whole numbers below 2^53, and every stored number is (times in us < 2^53, counts
-- < 2^31, remainders < 2^45); products that may exceed 2^53, such as limit * window, only go through muldiv below.
-- Numbers handed to Redis are formatted with '%d', which writes them exactly. Except for the log's sorted set, a state
-- is one string of numbers separated by spaces, read with GET and written with SET ... PX.
--
-- A script is this prelude, then (in the script of one algorithm) RateLimiterOneRule.lua with that algorithm's
-- blocks inline, then RateLimiterMain.lua with every algorithm of the script wrapped as functions by
-- RateLimiterFunctions.lua. Redis runs a script's whole body on every call on its single thread, so the common
-- one-rule call runs the algorithm inline and returns before any table but its reply is made.
local now, pad = tonumber(ARGV[1]), 0
if now == nil then
  if ARGV[1] == '' then
    local time = redis.call('TIME')
    now = tonumber(time[1]) * 1000000 + tonumber(time[2])
  else
    local i = string.find(ARGV[1], '/', 1, true)
    now, pad = tonumber(string.sub(ARGV[1], 1, i - 1)), tonumber(string.sub(ARGV[1], i + 1))
  end
end
local mode = ARGV[2]

-- floor(x * y / m) and x * y - m * floor(x * y / m), exactly, for whole numbers 0 <= x < 2^35, 0 <= y <= 2^45 and
-- 0 < m <= 2^45 whose quotient is below 2^53. The product may reach 2^80, beyond a double's 53 bits, so x is taken
-- in base 32, most significant digit first: every partial sum stays below 2^51, where division is exact.
local function muldiv(x, y, m)
  local p = x * y
  if p < 2251799813685248 then -- 2^51: the product itself is exact
    local q = math.floor(p / m)
    return q, p - q * m
  end
  local q, r = 0, 0
  for shift = 30, 0, -5 do
    local v = r * 32 + (math.floor(x / 2 ^ shift) % 32) * y
    local d = math.floor(v / m)
    q, r = q * 32 + d, v - d * m
  end
  return q, r
end

-- The TTL in ms of a state written now that equals a fresh one at `fresh` (us): Redis counts it on its own clock.
local function ttl(fresh)
  return math.max(1, math.ceil((fresh - now) / 1000)) + pad
end

-- A string state's block end (us), or false when the state is no block ('B' is byte 66).
local function blocked(state)
  return string.byte(state, 1) == 66 and tonumber(string.sub(state, 2))
end

-- Blocks `key`, the state of a rule of algorithm `alg`, for `duration` us from now: the block replaces the state.
local function block(key, alg, duration)
  local ends = now + duration
  if alg == 2 then -- the log: one member 'block' scored with the end
    redis.call('DEL', key)
    redis.call('ZADD', key, string.format('%d', ends), 'block')
    redis.call('PEXPIRE', key, ttl(ends))
  else
    redis.call('SET', key, 'B' .. string.format('%d', ends), 'PX', ttl(ends))
  end
end

