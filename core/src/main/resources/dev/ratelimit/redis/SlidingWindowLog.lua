-- SLIDING_WINDOW_LOG: one sorted-set entry per permit, scored by its time. Twin of dev.ratelimit.memory.SlidingWindowLog.
-- An entry taken at time s counts while t < s + window. Members are "<time>:<index>": entries sharing a time are
-- numbered 0..k-1, and pruning removes all entries of a time at once, so every member is unique even when
-- thousands of permits are taken in the same microsecond.
CHECK[2] = function(key, t, limit, window, cost)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', num(t - window))
  local n = redis.call('ZCARD', key)

  local ok = cost <= limit and n + cost <= limit
  local reset = 0
  if n > 0 then
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    reset = tonumber(newest[2]) + window - t
  end
  local retry = 0
  if ok then
    retry = 0
  elseif cost > limit then
    retry = window
  else
    -- the request fits once the (n + cost - limit) oldest entries have expired
    local kth = redis.call('ZRANGE', key, n + cost - limit - 1, n + cost - limit - 1, 'WITHSCORES')
    retry = tonumber(kth[2]) + window - t
  end
  return ok, math.max(0, limit - n), reset, retry, n
end

COMMIT[2] = function(key, t, limit, window, cost, n)
  local first = redis.call('ZCOUNT', key, num(t), num(t))
  local score = num(t)
  if cost == 1 then
    redis.call('ZADD', key, score, score .. ':' .. num(first))
  else
    local args = {}
    for i = 0, cost - 1 do
      args[#args + 1] = score
      args[#args + 1] = score .. ':' .. num(first + i)
      if #args == 1000 or i == cost - 1 then -- batches keep unpack() within Lua's stack limit
        redis.call('ZADD', key, unpack(args))
        args = {}
      end
    end
  end
  expire(key, window)
  return limit - n - cost, window
end
