-- Gives back the permits a request took under some of its rules when another of its rules, whose key lives on another
-- Redis Cluster node, then denied it (see docs/algorithms.md, "Several keys on a Redis Cluster"). Runs after the
-- prelude. Never gives back more than the request took, so it can only err on the side of the limit:
-- - FIXED_WINDOW and SLIDING_WINDOW_COUNTER: counts are additive, so the cost is taken off the window it was
--   counted in (if that window still counts): exact.
-- - SLIDING_WINDOW_LOG: as many entries of the commit's time as it added are removed (entries of one time are alike;
--   the highest numbers, so those left are numbered from 0 as a commit expects): exact.
-- - TOKEN_BUCKET and GCRA: the tokens (or emission intervals) are given back when the state was last written at the
--   commit's own effective time (no refill since, so the bucket is exactly the cost short); after a later commit a
--   refill may have been capped at the limit, which makes the shortfall unknowable, and nothing is given back.
-- The TTL stays as it was (at least as long as the state now needs).
-- ARGV[2 + 5(i-1) + 1..5]  rule i: algorithm index, limit, window (us), cost, and the commit's effective time (us)
-- Writes a state's numbers back, keeping its TTL.
local function rewrite(key, v)
  local parts = {}
  for j = 1, #v do parts[j] = string.format('%d', v[j]) end
  redis.call('SET', key, table.concat(parts, ' '), 'KEEPTTL')
end

for i = 1, #KEYS do
  local at = 2 + (i - 1) * 5
  local key = KEYS[i]
  local alg, limit, window, cost, tc = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]),
    tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5])
  if cost == nil then cost = tonumber(string.match(ARGV[at + 4], '^(%d+):')) end -- a rule that blocks after a denial
  if limit == nil then limit = tonumber(string.match(ARGV[at + 2], '^(%d+):')) end -- a changed rule: its own limit
  if alg == 2 then
    local m = redis.call('ZCOUNT', key, string.format('%d', tc), string.format('%d', tc))
    local members = {}
    for j = math.max(0, m - cost), m - 1 do
      members[#members + 1] = string.format('%d:%d', tc, j)
      if #members == 1000 or j == m - 1 then
        redis.call('ZREM', key, unpack(members))
        members = {}
      end
    end
  else
    local state = redis.call('GET', key)
    if state and not blocked(state) then -- a block since replaced what the commit wrote: nothing to give back
      local v = {}
      for number in string.gmatch(state, '%S+') do v[#v + 1] = tonumber(number) end
      local changed = false
      if alg == 1 then -- "<tl> <n>"
        if v[1] - v[1] % window == tc - tc % window then v[2], changed = math.max(0, v[2] - cost), true end
      elseif alg == 3 then -- "<tl> <cur> <prev>"
        local wl, wc = v[1] - v[1] % window, tc - tc % window
        if wl == wc then
          v[2], changed = math.max(0, v[2] - cost), true
        elseif wl == wc + window then
          v[3], changed = math.max(0, v[3] - cost), true
        end
      elseif alg == 4 then -- "<k> <f> <tl>"
        if v[3] == tc then v[1], changed = math.min(limit, v[1] + cost), true end
      elseif v[3] == tc then -- GCRA "<tw> <tr> <tl>"
        local q, r = muldiv(cost, window, limit)
        v[1], v[2], changed = v[1] - q, v[2] - r, true
        if v[2] < 0 then v[1], v[2] = v[1] - 1, v[2] + limit end
      end
      if changed then
        rewrite(key, v)
      end
    end
  end
end
return #KEYS
