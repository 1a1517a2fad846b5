-- SLIDING_WINDOW_COUNTER: the current and previous window counters, the previous one weighted by how much of it
-- still overlaps the sliding window. Twin of dev.ratelimit.memory.SlidingWindowCounter.
-- State: the string "<tl> <cur> <prev>": the last commit's effective time (us), the permits taken in its window and
-- in the window before.
-- Estimate: floor(prev * (window - elapsed) / window) + cur, exactly (muldiv).
-- @check
local te, cur, prev = t, 0, 0
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  local j = string.find(state, ' ', i + 1, true)
  local tl = tonumber(string.sub(state, 1, i - 1))
  if tl > te then te = tl end
  local wl, ws = tl - tl % window, te - te % window
  if wl == ws then
    cur, prev = tonumber(string.sub(state, i + 1, j - 1)), tonumber(string.sub(state, j + 1))
  elseif wl == ws - window then
    prev = tonumber(string.sub(state, i + 1, j - 1))
  end
end
local elapsed = te % window
local we = te - elapsed + window
local est = muldiv(prev, window - elapsed, window) + cur

ok = est + cost <= limit
reset = 0
if cur > 0 then reset = we + window - te elseif prev > 0 then reset = we - te end
if ok then
  retry = 0
elseif cur + cost <= limit then
  -- later in this window, at the first elapsed time e where floor(prev * (window - e) / window) <= limit - cost - cur:
  -- e = window - ceil((limit - cost - cur + 1) * window / prev) + 1
  local q, r = muldiv(limit - cost - cur + 1, window, prev)
  retry = window - q - (r > 0 and 1 or 0) + 1 - elapsed
else
  -- in the next window, where this window's count becomes the decaying one
  local q, r = muldiv(limit - cost + 1, window, cur)
  retry = we - te + math.max(0, window - q - (r > 0 and 1 or 0) + 1)
end
remaining, a, b, c, d = math.max(0, limit - est), te, cur, prev, est
-- @commit
local te, cur, prev, est = a, b, c, d
local we = te - te % window + window
redis.call('SET', key, string.format('%d %d %d', te, cur + cost, prev), 'PX', ttl(we + window))
remaining, reset = limit - est - cost, we + window - te
-- until a request of cost c = remaining + 1 fits: the check's retry-after for it, this window's count being cur + cost
-- (there, limit - c - (cur + cost) + 1 = est - cur, the previous window's weighted count, and limit - c + 1 = est + cost)
local elapsed = te % window
if est > cur then -- later in this window, once the previous window's weighted count has dropped by one
  local q, r = muldiv(est - cur, window, prev)
  more = window - q - (r > 0 and 1 or 0) + 1 - elapsed
else -- in the next window
  local q, r = muldiv(est + cost, window, cur + cost)
  more = we - te + math.max(0, window - q - (r > 0 and 1 or 0) + 1)
end
