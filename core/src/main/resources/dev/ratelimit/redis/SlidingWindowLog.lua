-- SLIDING_WINDOW_LOG: one sorted-set entry per permit, scored by its time. Twin of dev.ratelimit.memory.SlidingWindowLog.
-- An entry taken at time s counts while t < s + window. Members are "<time>:<count>", count being the number of
-- entries in the log before it: while time stays at t no entry is pruned (pruning takes times <= t - window), so the
-- count only grows and every member is unique even when thousands of permits are taken in the same microsecond.
-- `committing` (the one-rule call): the request's reset is the commit's when it passes, so the newest entry is
-- looked up only when it is denied.
-- @check
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', t - window))
local n = redis.call('ZCARD', key)

ok = cost <= limit and n + cost <= limit
reset = 0
if n > 0 and not (ok and committing) then
  local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  reset = tonumber(newest[2]) + window - t
end
if ok then
  retry = 0
elseif cost > limit then
  retry = window
else
  -- the request fits once the (n + cost - limit) oldest entries have expired
  local kth = redis.call('ZRANGE', key, n + cost - limit - 1, n + cost - limit - 1, 'WITHSCORES')
  retry = tonumber(kth[2]) + window - t
end
remaining, a = math.max(0, limit - n), n
-- @commit
local n = a
local score = string.format('%d', t)
local added = 0
if cost == 1 then
  added = redis.call('ZADD', key, score, score .. ':' .. string.format('%d', n))
else
  local args = {}
  for i = 0, cost - 1 do
    args[#args + 1] = score
    args[#args + 1] = score .. ':' .. string.format('%d', n + i)
    if #args == 1000 or i == cost - 1 then -- batches keep unpack() within Lua's stack limit
      added = added + redis.call('ZADD', key, unpack(args))
      args = {}
    end
  end
end
-- a member already there (only if rules sharing this log with a shorter window pruned it in this same
-- microsecond, so the count went down): take the next free numbers for the permits not yet recorded
local next = n + cost
while added < cost do
  added = added + redis.call('ZADD', key, score, score .. ':' .. string.format('%d', next))
  next = next + 1
end
redis.call('PEXPIRE', key, math.max(1, math.ceil(window / 1000)))
remaining, reset = limit - n - cost, window
