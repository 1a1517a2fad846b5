-- GCRA: the generic cell rate algorithm, one theoretical arrival time (TAT) per key. Twin of dev.ratelimit.memory.Gcra.
-- Each permit advances the TAT by the emission interval window/limit; a request passes while TAT - te <= window,
-- so a full burst of `limit` fits and then permits are spaced evenly. The TAT is kept as whole microseconds `tw`
-- plus a remainder `tr` in 1/limit microseconds, so no rounding accumulates. State: the string "<tw> <tr> <tl>", tl
-- being the last commit's effective time (us).
-- @check
local te, tw, tr = t, t, 0
local state = redis.call('GET', key)
if state then
  local i = string.find(state, ' ', 1, true)
  local j = string.find(state, ' ', i + 1, true)
  local tl = tonumber(string.sub(state, j + 1))
  if tl > te then te = tl end
  tw, tr = tonumber(string.sub(state, 1, i - 1)), tonumber(string.sub(state, i + 1, j - 1))
end
if tw < te then tw, tr = te, 0 end

local q, r = muldiv(cost, window, limit) -- cost * window / limit
local nw, nr = tw + q, tr + r
if nr >= limit then nw, nr = nw + 1, nr - limit end
local dt = nw - te
ok = dt < window or (dt == window and nr == 0)
retry = ok and 0 or dt - window + (nr > 0 and 1 or 0)
if not (ok and committing) then -- a committed pass gets its remaining count and reset from the commit
  local q, r = muldiv(limit, window - (tw - te), window)
  remaining, reset = q + math.floor((r - tr) / window), tw - te + (tr > 0 and 1 or 0)
end
a, b, c = te, nw, nr
-- @commit
local te, tw, tr = a, b, c
reset = tw - te + (tr > 0 and 1 or 0)
redis.call('SET', key, string.format('%d %d %d', tw, tr, te), 'PX', ttl(te + reset))
local q, r = muldiv(limit, window - (tw - te), window)
remaining = q + math.floor((r - tr) / window)
-- until a request of cost remaining + 1 fits: the check's retry-after for it
q, r = muldiv(remaining + 1, window, limit)
local nw, nr = tw + q, tr + r
if nr >= limit then nw, nr = nw + 1, nr - limit end
more = nw - te - window + (nr > 0 and 1 or 0)
