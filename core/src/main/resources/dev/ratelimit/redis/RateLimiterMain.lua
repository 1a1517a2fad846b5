-- Several rules: each algorithm of the script as a CHECK and a COMMIT function (RateLimiterFunctions.lua), indexed
-- by its number in ARGV; every rule is checked, then all are committed only if all pass (never in mode "peek").
local CHECK, COMMIT = {}, {}
-- @functions

local checks = {}
local all_ok = mode ~= 'peek'
for i = 1, #KEYS do
  local at = 2 + (i - 1) * 4
  local alg, limit, window, cost = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]),
    tonumber(ARGV[at + 4])
  local r = {alg, limit, window, cost, CHECK[alg](KEYS[i], now, limit, window, cost, false)}
  checks[i] = r -- alg, limit, window, cost, ok, remaining, reset, retry, a, b, c, d
  all_ok = all_ok and r[5]
end

local reply = {}
for i = 1, #KEYS do
  local r = checks[i]
  local remaining, reset = r[6], r[7]
  if all_ok then remaining, reset = COMMIT[r[1]](KEYS[i], now, r[2], r[3], r[4], r[9], r[10], r[11], r[12]) end
  local behind = r[9] - now -- durations count from now, also when the state's time is ahead of the clock
  reply[#reply + 1] = r[5] and 1 or 0
  reply[#reply + 1] = math.max(0, remaining)
  reply[#reply + 1] = math.max(0, math.ceil(reset)) + behind
  reply[#reply + 1] = r[5] and 0 or math.max(1, math.ceil(r[8])) + behind -- a denial always has a wait
  if mode == 'timed' then reply[#reply + 1] = r[9] end
end
return reply
