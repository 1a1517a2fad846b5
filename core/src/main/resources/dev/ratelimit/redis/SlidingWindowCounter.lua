-- SLIDING_WINDOW_COUNTER: the current and previous window counters, the previous one weighted by how much of it
-- still overlaps the sliding window. Twin of dev.ratelimit.memory.SlidingWindowCounter.
-- State: the string "<tl> <cur> <prev>": the last commit's effective time (us), the permits taken in its window and
-- in the window before; then " <limit> <window>" (us) when the commit's differ from the counter's own. Under a
-- changed window the old rule's estimate is counted in the new rule's current window.
-- Estimate: floor(prev * (window - elapsed) / window) + cur, exactly (muldiv).
-- @check
local state = redis.call('GET', key)
local ends = state and blocked(state) -- a block's end, or false
if ends and ends <= t then state, ends = nil, false end -- a block that has ended: a fresh state
if ends then
  ok, remaining, reset, retry, a, b = false, 0, ends - t, ends - t, t, false -- blocked: b = false says so
else
  local te, cur, prev = t, 0, 0
  if state then
    local tl, c0, p0, _, w0 = string.match(state, '(%S+) (%S+) (%S+) ?(%S*) ?(%S*)')
    tl, w0 = tonumber(tl), tonumber(w0) or cw -- only a changed rule's state holds its own window
    if tl > te then te = tl end
    local wl, ws = tl - tl % w0, te - te % w0
    if wl == ws then
      cur, prev = tonumber(c0), tonumber(p0)
    elseif wl == ws - w0 then
      prev = tonumber(c0)
    end
    if w0 ~= window then
      -- a changed window: the old rule's estimate as of te is counted in the new rule's current window, written now,
      -- passed or not, so the next call (and the retry-after) reads the state under the new rule
      cur, prev = muldiv(prev, w0 - te % w0, w0) + cur, 0
      if cur > 0 then
        redis.call('SET', key, string.format('%d %d 0', te, cur) .. extra, 'PX',
          ttl(te - te % window + 2 * window))
      else
        redis.call('DEL', key)
      end
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
end
-- @commit
local te, cur, prev, est = a, b, c, d
local we = te - te % window + window
redis.call('SET', key, string.format('%d %d %d', te, cur + cost, prev) .. extra, 'PX',
  ttl(we + window))
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
