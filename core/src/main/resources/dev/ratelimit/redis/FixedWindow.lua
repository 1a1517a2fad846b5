-- FIXED_WINDOW: one counter per calendar window. Twin of dev.ratelimit.memory.FixedWindow.
-- State: the string "<w> <n>": window start (us), permits taken in that window.
-- @check
local ws = t - (t % window)
local we = ws + window
local n = 0
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  if tonumber(string.sub(state, 1, i - 1)) == ws then n = tonumber(string.sub(state, i + 1)) end
end

ok = cost <= limit and n + cost <= limit
if ok then
  retry = 0
elseif cost > limit then
  retry = window
else
  retry = we - t
end
remaining, reset, a, b = math.max(0, limit - n), n > 0 and (we - t) or 0, ws, n
-- @commit
local ws, n = a, b + cost
local we = ws + window
redis.call('SET', key, string.format('%d %d', ws, n), 'PX', math.max(1, math.ceil((we - t) / 1000)))
remaining, reset = limit - n, we - t
