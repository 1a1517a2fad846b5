-- FIXED_WINDOW: one counter per calendar window. Twin of dev.ratelimit.memory.FixedWindow.
-- State: the string "<tl> <n>": the last commit's effective time (us) and the permits taken in its window.
-- @check
local te, n = t, 0
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  local tl = tonumber(string.sub(state, 1, i - 1))
  if tl > te then te = tl end
  if tl - tl % window == te - te % window then n = tonumber(string.sub(state, i + 1)) end
end
local we = te - te % window + window

ok = n + cost <= limit
retry = ok and 0 or we - te
remaining, reset, a, b = limit - n, n > 0 and (we - te) or 0, te, n
-- @commit
local te, n = a, b + cost
local we = te - te % window + window
redis.call('SET', key, string.format('%d %d', te, n), 'PX', ttl(we))
remaining, reset = limit - n, we - te
more = reset -- a request of cost remaining + 1 needs a new window
