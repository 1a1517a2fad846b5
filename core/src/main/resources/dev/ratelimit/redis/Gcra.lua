-- GCRA: the generic cell rate algorithm, one theoretical arrival time (TAT) per key. Twin of dev.ratelimit.memory.Gcra.
-- Each permit advances the TAT by the emission interval window/limit; a request passes while TAT - now <= window,
-- so a full burst of `limit` fits and then permits are spaced evenly. The TAT is kept as whole microseconds `tw`
-- plus a remainder `tr` in 1/limit microseconds, so no rounding accumulates.
CHECK[5] = function(key, t, limit, window, cost)
  local state = redis.call('HMGET', key, 'tw', 'tr')
  local tw, tr = tonumber(state[1]), tonumber(state[2])
  if tw == nil or tr == nil or tw < t then tw, tr = t, 0 end

  local step = cost * window
  local nw = tw + math.floor(step / limit)
  local nr = tr + step % limit
  if nr >= limit then nw, nr = nw + 1, nr - limit end
  local d = nw - t

  local ok = cost <= limit and (d < window or (d == window and nr == 0))
  local retry
  if ok then
    retry = 0
  elseif cost > limit then
    retry = window
  else
    retry = d - window + (nr > 0 and 1 or 0)
  end
  local remaining = math.max(0, math.floor(((window - (tw - t)) * limit - tr) / window))
  return ok, remaining, tw - t + (tr > 0 and 1 or 0), retry, nw, nr
end

COMMIT[5] = function(key, t, limit, window, cost, nw, nr)
  local d = nw - t
  local reset = d + (nr > 0 and 1 or 0)
  redis.call('HSET', key, 'tw', num(nw), 'tr', num(nr))
  expire(key, reset)
  return math.max(0, math.floor(((window - d) * limit - nr) / window)), reset
end
