-- GCRA: the generic cell rate algorithm, one theoretical arrival time (TAT) per key. Twin of dev.ratelimit.memory.Gcra.
-- Each permit advances the TAT by the emission interval window/limit; a request passes while TAT - now <= window,
-- so a full burst of `limit` fits and then permits are spaced evenly. The TAT is kept as whole microseconds `tw`
-- plus a remainder `tr` in 1/limit microseconds, so no rounding accumulates. State: the string "<tw> <tr>".
-- @check
local tw, tr
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  tw, tr = tonumber(string.sub(state, 1, i - 1)), tonumber(string.sub(state, i + 1))
end
if tw == nil or tr == nil or tw < t then tw, tr = t, 0 end

local step = cost * window
local nw = tw + math.floor(step / limit)
local nr = tr + step % limit
if nr >= limit then nw, nr = nw + 1, nr - limit end
local dt = nw - t

ok = cost <= limit and (dt < window or (dt == window and nr == 0))
if ok then
  retry = 0
elseif cost > limit then
  retry = window
else
  retry = dt - window + (nr > 0 and 1 or 0)
end
remaining = math.max(0, math.floor(((window - (tw - t)) * limit - tr) / window))
reset, a, b = tw - t + (tr > 0 and 1 or 0), nw, nr
-- @commit
local nw, nr = a, b
local dt = nw - t
reset = dt + (nr > 0 and 1 or 0)
redis.call('SET', key, string.format('%d %d', nw, nr), 'PX', math.max(1, math.ceil(reset / 1000)))
remaining = math.max(0, math.floor(((window - dt) * limit - nr) / window))
