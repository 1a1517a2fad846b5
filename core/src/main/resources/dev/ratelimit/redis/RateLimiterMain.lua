-- The decision loop (appended after the algorithm files; see RateLimiter.lua for the calling convention).
local now = tonumber(ARGV[1])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end

local results = {}
local all_ok = true
for i = 1, #KEYS do
  local a = 2 + (i - 1) * 4
  local algorithm = ALGORITHMS[tonumber(ARGV[a + 1])]
  local r = algorithm(KEYS[i], now, tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]))
  results[i] = r
  all_ok = all_ok and r.ok
end

local reply = {all_ok and 1 or 0, now}
for i = 1, #results do
  local r = results[i]
  local remaining, reset = r.remaining, r.reset
  if all_ok then remaining, reset = r.commit() end
  reply[#reply + 1] = r.ok and 1 or 0
  reply[#reply + 1] = math.max(0, remaining)
  reply[#reply + 1] = math.max(0, math.ceil(reset))
  reply[#reply + 1] = r.ok and 0 or math.max(1, math.ceil(r.retry)) -- a denial always has a wait
end
return reply
