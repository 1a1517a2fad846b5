-- GCRA: the generic cell rate algorithm, one theoretical arrival time (TAT) per key. Twin of dev.ratelimit.memory.Gcra.
-- Each permit advances the TAT by the emission interval window/limit; a request passes while TAT - te <= window,
-- so a full burst of `limit` fits and then permits are spaced evenly. The TAT is kept as whole microseconds `tw`
-- plus a remainder `tr` in 1/limit microseconds, so no rounding accumulates. State: the string
-- "<tw> <tr> <tl>", tl being the last commit's effective time (us); then " <limit> <window>" (us) when the commit's
-- differ from the counter's own. Under a changed limit or window the permits used ((TAT - te) * limit / window under the old rule;
-- rounded up when the window changes) stay used, at most the new limit: GCRA answers as the token bucket does.
-- @check
local state = redis.call('GET', key)
local ends = state and blocked(state) -- a block's end, or false
if ends and ends <= t then state, ends = nil, false end -- a block that has ended: a fresh state
if ends then
  ok, remaining, reset, retry, a, b = false, 0, ends - t, ends - t, t, false -- blocked: b = false says so
else
  local te, tw, tr = t, t, 0
  if state then
    local tw0, tr0, tl, l0, w0 = string.match(state, '(%S+) (%S+) (%S+) ?(%S*) ?(%S*)')
    tl, l0, w0 = tonumber(tl), tonumber(l0) or cl, tonumber(w0) or cw -- only a changed rule's state holds its own
    if tl > te then te = tl end
    tw, tr = tonumber(tw0), tonumber(tr0)
    if tw < te then tw, tr = te, 0 end
    if l0 ~= limit or w0 ~= window then
      -- a changed rule: the permits used as of te, ((tw - te) * l0 + tr) / w0 = q + r / w0, stay used (at most the new
      -- limit), and the TAT is where they put it under the new emission interval
      local q, r = muldiv(l0, tw - te, w0)
      r = r + tr
      q, r = q + math.floor(r / w0), r % w0
      if q > limit or (q == limit and r > 0) then -- at most the new limit used
        tw, tr = te + window, 0
      elseif w0 == window then -- the TAT moves to te + ((tw - te) * l0 + tr) / limit: exact
        q, r = muldiv(l0, tw - te, limit)
        r = r + tr
        tw, tr = te + q + math.floor(r / limit), r % limit
      else -- the permits used, rounded up, at the new emission interval
        q, r = muldiv(q + (r > 0 and 1 or 0), window, limit)
        tw, tr = te + q, r
      end
      -- written now, passed or not, so the next call (and the retry-after) reads the state under the new rule
      if tw == te and tr == 0 then
        redis.call('DEL', key)
      else
        redis.call('SET', key, string.format('%d %d %d', tw, tr, te) .. extra, 'PX',
          ttl(tw + (tr > 0 and 1 or 0)))
      end
    end
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
end
-- @commit
local te, tw, tr = a, b, c
reset = tw - te + (tr > 0 and 1 or 0)
redis.call('SET', key, string.format('%d %d %d', tw, tr, te) .. extra, 'PX', ttl(te + reset))
local q, r = muldiv(limit, window - (tw - te), window)
remaining = q + math.floor((r - tr) / window)
-- until a request of cost remaining + 1 fits: the check's retry-after for it
q, r = muldiv(remaining + 1, window, limit)
local nw, nr = tw + q, tr + r
if nr >= limit then nw, nr = nw + 1, nr - limit end
more = nw - te - window + (nr > 0 and 1 or 0)
