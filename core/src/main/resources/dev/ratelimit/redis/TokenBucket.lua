-- TOKEN_BUCKET: a bucket of `limit` tokens refilled continuously at limit/window. Twin of dev.ratelimit.memory.TokenBucket.
-- State: the string "<s> <ts>": s = tokens * window (an integer, so refills are exact), ts = time of the last
-- update (us).
-- Exact while limit * window(us) stays below 2^53; the Java twin performs the same double operations.
-- @check
local full = limit * window
local s, ts
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  s, ts = tonumber(string.sub(state, 1, i - 1)), tonumber(string.sub(state, i + 1))
end
if s == nil or ts == nil then
  s, ts = full, t
elseif t > ts then
  local elapsed = t - ts
  if elapsed >= window then s = full else s = math.min(full, s + elapsed * limit) end
  ts = t
end

local need = cost * window
ok = cost <= limit and s >= need
if ok then
  retry = 0
elseif cost > limit then
  retry = window
else
  retry = math.ceil((need - s) / limit)
end
if not (ok and committing) then -- a committed pass gets its remaining count and reset from the commit
  remaining, reset = math.floor(s / window), math.ceil((full - s) / limit)
end
a, b = s, ts
-- @commit
local s = a - cost * window
reset = math.ceil((limit * window - s) / limit)
redis.call('SET', key, string.format('%d %d', s, b), 'PX', math.max(1, math.ceil(reset / 1000)))
remaining = math.floor(s / window)
