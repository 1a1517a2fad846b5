-- FIXED_WINDOW: one counter per calendar window. Twin of dev.ratelimit.memory.FixedWindow.
-- State: hash {w = window start (us), n = permits taken in that window}.
CHECK[1] = function(key, t, limit, window, cost)
  local ws = t - (t % window)
  local we = ws + window
  local state = redis.call('HMGET', key, 'w', 'n')
  local n = 0
  if tonumber(state[1]) == ws then n = tonumber(state[2]) or 0 end

  local ok = cost <= limit and n + cost <= limit
  local retry
  if ok then
    retry = 0
  elseif cost > limit then
    retry = window
  else
    retry = we - t
  end
  return ok, math.max(0, limit - n), n > 0 and (we - t) or 0, retry, ws, n
end

COMMIT[1] = function(key, t, limit, window, cost, ws, n)
  local we = ws + window
  n = n + cost
  redis.call('HSET', key, 'w', num(ws), 'n', num(n))
  expire(key, we - t)
  return limit - n, we - t
end
