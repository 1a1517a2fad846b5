-- TOKEN_BUCKET: a bucket of `limit` tokens refilled continuously at limit/window. Twin of dev.ratelimit.memory.TokenBucket.
-- State: hash {s = tokens * window (an integer, so refills are exact), ts = time of the last update (us)}.
-- Exact while limit * window(us) stays below 2^53; the Java twin performs the same double operations.
CHECK[4] = function(key, t, limit, window, cost)
  local full = limit * window
  local state = redis.call('HMGET', key, 's', 'ts')
  local s, ts = tonumber(state[1]), tonumber(state[2])
  if s == nil or ts == nil then
    s, ts = full, t
  elseif t > ts then
    local elapsed = t - ts
    if elapsed >= window then s = full else s = math.min(full, s + elapsed * limit) end
    ts = t
  end

  local need = cost * window
  local ok = cost <= limit and s >= need
  local retry
  if ok then
    retry = 0
  elseif cost > limit then
    retry = window
  else
    retry = math.ceil((need - s) / limit)
  end
  return ok, math.floor(s / window), math.ceil((full - s) / limit), retry, s, ts
end

COMMIT[4] = function(key, t, limit, window, cost, s, ts)
  s = s - cost * window
  local reset = math.ceil((limit * window - s) / limit)
  redis.call('HSET', key, 's', num(s), 'ts', num(ts))
  expire(key, reset)
  return math.floor(s / window), reset
end
