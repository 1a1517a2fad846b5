-- FIXED_WINDOW: one counter per calendar window. Twin of dev.ratelimit.memory.FixedWindow.
-- State: hash {w = window start (us), n = permits taken in that window}.
ALGORITHMS[1] = function(key, t, limit, window, cost)
  local ws = t - (t % window)
  local we = ws + window
  local state = redis.call('HMGET', key, 'w', 'n')
  local n = 0
  if tonumber(state[1]) == ws then n = tonumber(state[2]) or 0 end

  local r = {ok = cost <= limit and n + cost <= limit}
  r.remaining = math.max(0, limit - n)
  r.reset = n > 0 and (we - t) or 0
  if r.ok then
    r.retry = 0
  elseif cost > limit then
    r.retry = window
  else
    r.retry = we - t
  end
  r.commit = function()
    n = n + cost
    redis.call('HSET', key, 'w', num(ws), 'n', num(n))
    expire(key, we - t)
    return limit - n, we - t
  end
  return r
end
