-- TOKEN_BUCKET: a bucket of `limit` tokens refilled continuously at limit/window. Twin of dev.ratelimit.memory.TokenBucket.
-- State: the string "<k> <f> <tl>": k whole tokens plus f/window of a token (0 <= f < window) at tl, the last
-- commit's effective time (us); then " <limit> <window>" (us) when the commit's differ from the counter's own. Under a changed limit or
-- window (an operator's override keeps the declared rule's key) the tokens used stay used: the bucket is refilled
-- under the old rule, then holds limit - used tokens (at least 0). Whole tokens and a remainder keep every refill
-- exact: elapsed * limit / window goes through muldiv, so no product of limit and window is ever formed.
-- @check
local state = redis.call('GET', key)
local ends = state and blocked(state) -- a block's end, or false
if ends and ends <= t then state, ends = nil, false end -- a block that has ended: a fresh state
if ends then
  ok, remaining, reset, retry, a, b = false, 0, ends - t, ends - t, t, false -- blocked: b = false says so
else
  local te, k, f = t, limit, 0
  if state then
    local k0, f0, tl, l0, w0 = string.match(state, '(%S+) (%S+) (%S+) ?(%S*) ?(%S*)')
    tl, l0, w0 = tonumber(tl), tonumber(l0) or cl, tonumber(w0) or cw -- only a changed rule's state holds its own
    if tl > te then te = tl end
    k = l0
    local elapsed = te - tl
    if elapsed < w0 then -- the bucket as of te under the limit and window it was written with
      local q, r = muldiv(l0, elapsed, w0)
      k, f = tonumber(k0) + q, tonumber(f0) + r
      if f >= w0 then k, f = k + 1, f - w0 end
      if k >= l0 then k, f = l0, 0 end
    end
    if l0 ~= limit or w0 ~= window then
      -- a changed rule: the tokens used stay used (at most the new limit); a fraction of a token is kept only while
      -- the window, its unit, is the same
      k = k + limit - l0
      if w0 ~= window then f = 0 end
      if k >= limit then k, f = limit, 0 elseif k < 0 then k, f = 0, 0 end
      -- written now, passed or not, so the next call (and the retry-after) reads the state under the new rule
      if k >= limit then
        redis.call('DEL', key)
      else
        local q, r = muldiv(limit - k, window, limit)
        redis.call('SET', key, string.format('%d %d %d', k, f, te) .. extra, 'PX',
          ttl(te + q + math.ceil((r - f) / limit)))
      end
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
end
-- @commit
local te, k, f = a, b - cost, c
local q, r = muldiv(limit - k, window, limit)
reset = q + math.ceil((r - f) / limit)
redis.call('SET', key, string.format('%d %d %d', k, f, te) .. extra, 'PX', ttl(te + reset))
remaining = k
-- until k + 1 whole tokens: (window - f) / limit, rounded up
q, r = muldiv(1, window, limit)
more = q + math.ceil((r - f) / limit)
