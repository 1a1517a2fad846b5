-- SLIDING_WINDOW_COUNTER: the current and previous window counters, the previous one weighted by how much of it
-- still overlaps the sliding window. Twin of dev.ratelimit.memory.SlidingWindowCounter.
-- State: the string "<w> <cur> <prev>": current window start (us), permits in it and in the window before.
-- Estimate: floor(prev * (window - elapsed) / window) + cur, in doubles (the Java twin does the same operations).
-- @check
local ws = t - (t % window)
local we = ws + window
local elapsed = t - ws
local cur, prev = 0, 0
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  local j = string.find(state, ' ', i + 1, true)
  local w = tonumber(string.sub(state, 1, i - 1))
  if w == ws then
    cur, prev = tonumber(string.sub(state, i + 1, j - 1)), tonumber(string.sub(state, j + 1))
  elseif w == ws - window then
    prev = tonumber(string.sub(state, i + 1, j - 1))
  end
end
local est = math.floor(prev * (window - elapsed) / window) + cur

ok = cost <= limit and est + cost <= limit
reset = 0
if cur > 0 then reset = we + window - t elseif prev > 0 then reset = we - t end
if ok then
  retry = 0
elseif cost > limit then
  retry = window
elseif cur + cost <= limit then
  -- later in this window, once the previous window's weight has decayed enough
  local e = math.floor(window - (limit - cost - cur + 1) * window / prev) + 1
  retry = e - elapsed
else
  -- in the next window, where this window's count becomes the decaying one
  local e = math.max(0, math.floor(window - (limit - cost + 1) * window / cur) + 1)
  retry = we - t + e
end
remaining, a, b, c, d = math.max(0, limit - est), ws, cur, prev, est
-- @commit
local ws, cur, prev, est = a, b, c, d
local we = ws + window
redis.call('SET', key, string.format('%d %d %d', ws, cur + cost, prev), 'PX',
  math.max(1, math.ceil((we + window - t) / 1000)))
remaining, reset = limit - est - cost, we + window - t
