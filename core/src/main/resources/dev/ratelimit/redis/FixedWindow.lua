-- FIXED_WINDOW: one counter per calendar window. Twin of dev.ratelimit.memory.FixedWindow.
-- State: hash {w = window start (us), n = permits taken in that window}.
-- @check
local ws = t - (t % window)
local we = ws + window
local state = redis.call('HMGET', key, 'w', 'n')
local n = 0
if tonumber(state[1]) == ws then n = tonumber(state[2]) or 0 end

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
redis.call('HSET', key, 'w', string.format('%d', ws), 'n', string.format('%d', n))
redis.call('PEXPIRE', key, math.max(1, math.ceil((we - t) / 1000)))
remaining, reset = limit - n, we - t
