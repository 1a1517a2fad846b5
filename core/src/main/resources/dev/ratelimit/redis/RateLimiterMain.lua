-- The decision loop (appended after the algorithm files; see RateLimiter.lua for the calling convention).
local now = tonumber(ARGV[1])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end

local function retry_of(ok, retry)
  if ok then return 0 end
  return math.max(1, math.ceil(retry)) -- a denial always has a wait
end

if #KEYS == 1 then -- the common case, without the tables of the loop below
  local alg, key = tonumber(ARGV[3]), KEYS[1]
  local limit, window, cost = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  local ok, remaining, reset, retry, a, b, c, d = CHECK[alg](key, now, limit, window, cost, true)
  if ok then remaining, reset = COMMIT[alg](key, now, limit, window, cost, a, b, c, d) end
  local flag = ok and 1 or 0
  return {flag, now, flag, math.max(0, remaining), math.max(0, math.ceil(reset)), retry_of(ok, retry)}
end

local checks = {}
local all_ok = true
for i = 1, #KEYS do
  local a = 2 + (i - 1) * 4
  local alg, limit, window, cost = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]),
    tonumber(ARGV[a + 4])
  local r = {alg, limit, window, cost, CHECK[alg](KEYS[i], now, limit, window, cost)}
  checks[i] = r -- alg, limit, window, cost, ok, remaining, reset, retry, a, b, c, d
  all_ok = all_ok and r[5]
end

local reply = {all_ok and 1 or 0, now}
for i = 1, #KEYS do
  local r = checks[i]
  local remaining, reset = r[6], r[7]
  if all_ok then remaining, reset = COMMIT[r[1]](KEYS[i], now, r[2], r[3], r[4], r[9], r[10], r[11], r[12]) end
  reply[#reply + 1] = r[5] and 1 or 0
  reply[#reply + 1] = math.max(0, remaining)
  reply[#reply + 1] = math.max(0, math.ceil(reset))
  reply[#reply + 1] = retry_of(r[5], r[8])
end
return reply
