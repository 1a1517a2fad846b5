-- FIXED_WINDOW: one counter per calendar window. Twin of dev.ratelimit.memory.FixedWindow.
-- State: the string "<tl> <n>": the last commit's effective time (us) and the permits taken in its window; then
-- " <limit> <window>" (us) when the commit's differ from the counter's own. Under a changed window the count of the
-- old rule's current window is counted in the new rule's.
-- @check
local state = redis.call('GET', key)
local ends = state and blocked(state) -- a block's end, or false
if ends and ends <= t then state, ends = nil, false end -- a block that has ended: a fresh state
if ends then
  ok, remaining, reset, retry, a, b = false, 0, ends - t, ends - t, t, false -- blocked: b = false says so
else
  local te, n = t, 0
  if state then
    local i = string.find(state, ' ', 1, true)
    local tl, n0, w0 = tonumber(string.sub(state, 1, i - 1)), string.sub(state, i + 1), cw
    local j = string.find(n0, ' ', 1, true)
    if j then -- only a changed rule's state holds its own limit and window: "<tl> <n> <limit> <window>"
      w0, n0 = tonumber(string.match(n0, '(%d+)$')), string.sub(n0, 1, j - 1)
    end
    if tl > te then te = tl end
    if tl - tl % w0 == te - te % w0 then n = tonumber(n0) end
    if w0 ~= window then
      -- a changed window: the permits the old window still counts are counted in the new one, written now, passed or
      -- not, so the next call (and the retry-after) reads the state under the new rule
      if n > 0 then
        redis.call('SET', key, string.format('%d %d', te, n) .. extra, 'PX',
          ttl(te - te % window + window))
      else
        redis.call('DEL', key)
      end
    end
  end
  local we = te - te % window + window

  ok = n + cost <= limit
  retry = ok and 0 or we - te
  remaining, reset, a, b = limit - n, n > 0 and (we - te) or 0, te, n
end
-- @commit
local te, n = a, b + cost
local we = te - te % window + window
redis.call('SET', key, string.format('%d %d', te, n) .. extra, 'PX', ttl(we))
remaining, reset = limit - n, we - te
more = reset -- a request of cost remaining + 1 needs a new window
