-- Several rules: each algorithm of the script as a CHECK and a COMMIT function (RateLimiterFunctions.lua), indexed
-- by its number in ARGV; every rule is checked, then all are committed only if all pass (never in modes "peek" and
-- "check"). A rule that blocks after a denial and denies (not by a block) blocks, except in mode "peek".
local CHECK, COMMIT = {}, {}
-- @functions

local checks = {}
local all_ok = mode ~= 'peek' and mode ~= 'check'
for i = 1, #KEYS do
  local at = 2 + (i - 1) * 4
  local alg, limit, window, cost = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]),
    tonumber(ARGV[at + 4])
  local cl, cw, extra = limit, window, ''
  if limit == nil then -- a changed rule: "<limit>:<counter limit>:<counter window>"
    local l, ol, ow = string.match(ARGV[at + 2], '^(%d+):(%d+):(%d+)$')
    limit, cl, cw = tonumber(l), tonumber(ol), tonumber(ow)
    if limit ~= cl or window ~= cw then extra = string.format(' %d %d', limit, window) end
  end
  local penalty
  if cost == nil then -- a rule that blocks after a denial: "<cost>:<duration>"
    local c, p = string.match(ARGV[at + 4], '^(%d+):(%d+)$')
    cost, penalty = tonumber(c), tonumber(p)
  end
  local r = {alg, limit, window, cost, CHECK[alg](KEYS[i], now, limit, window, cost, false, cl, cw, extra)}
  r[13], r[14], r[15], r[16] = cl, cw, penalty, extra
  checks[i] = r -- alg, limit, window, cost, ok, remaining, reset, retry, a, b, c, d, cl, cw, penalty, extra
  all_ok = all_ok and r[5]
end

if not all_ok and mode ~= 'peek' then
  for i = 1, #KEYS do
    local r = checks[i]
    if not r[5] and r[15] and r[10] ~= false then -- denied, not by a block, under a rule that blocks after a denial
      block(KEYS[i], r[1], r[15])
      r[6], r[7], r[8], r[9] = 0, r[15], r[15], now
    end
  end
end

local reply = {}
for i = 1, #KEYS do
  local r = checks[i]
  local remaining, reset, more = r[6], r[7], 0
  if all_ok then
    remaining, reset, more = COMMIT[r[1]](KEYS[i], now, r[2], r[3], r[4], r[9], r[10], r[11], r[12], r[13], r[14],
      r[16])
  elseif r[5] and remaining < r[2] then
    -- passes, but nothing was taken: more than `remaining` permits are there when a request of cost remaining + 1
    -- could pass (this check reads the same state at the same time, so it is denied and says when)
    local _, _, _, wait = CHECK[r[1]](KEYS[i], now, r[2], r[3], remaining + 1, false, r[13], r[14], r[16])
    more = math.ceil(wait)
  end
  local behind = r[9] - now -- durations count from now, also when the state's time is ahead of the clock
  local wait = r[5] and 0 or math.max(1, math.ceil(r[8])) + behind -- a denial always has a wait
  reply[#reply + 1] = r[5] and 1 or 0
  reply[#reply + 1] = math.max(0, remaining)
  reply[#reply + 1] = math.max(0, math.ceil(reset)) + behind
  reply[#reply + 1] = wait
  if r[5] then reply[#reply + 1] = more > 0 and more + behind or 0 else reply[#reply + 1] = wait end
  if mode == 'timed' then reply[#reply + 1] = r[9] end
end
return reply
