-- TOKEN_BUCKET: a bucket of `limit` tokens refilled continuously at limit/window. Twin of dev.ratelimit.memory.TokenBucket.
-- State: the string "<k> <f> <tl>": k whole tokens plus f/window of a token (0 <= f < window) at tl, the last commit's
-- effective time (us). Whole tokens and a remainder keep every refill exact: elapsed * limit / window goes through
-- muldiv, so no product of limit and window is ever formed.
-- @check
local te, k, f = t, limit, 0
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  local j = string.find(state, ' ', i + 1, true)
  local tl = tonumber(string.sub(state, j + 1))
  if tl > te then te = tl end
  local elapsed = te - tl
  if elapsed < window then
    local q, r = muldiv(limit, elapsed, window)
    k, f = tonumber(string.sub(state, 1, i - 1)) + q, tonumber(string.sub(state, i + 1, j - 1)) + r
    if f >= window then k, f = k + 1, f - window end
    if k >= limit then k, f = limit, 0 end
  end
end

ok = k >= cost
if ok then
  retry = 0
else
  -- until k + f/window + d * limit/window >= cost: d = ceil(((cost - k) * window - f) / limit)
  local q, r = muldiv(cost - k, window, limit)
  retry = q + math.ceil((r - f) / limit)
end
if not (ok and committing) then -- a committed pass gets its remaining count and reset from the commit
  remaining, reset = k, 0
  if k < limit then
    local q, r = muldiv(limit - k, window, limit)
    reset = q + math.ceil((r - f) / limit)
  end
end
a, b, c = te, k, f
-- @commit
local te, k, f = a, b - cost, c
local q, r = muldiv(limit - k, window, limit)
reset = q + math.ceil((r - f) / limit)
redis.call('SET', key, string.format('%d %d %d', k, f, te), 'PX', ttl(te + reset))
remaining = k
-- until k + 1 whole tokens: (window - f) / limit, rounded up
q, r = muldiv(1, window, limit)
more = q + math.ceil((r - f) / limit)
