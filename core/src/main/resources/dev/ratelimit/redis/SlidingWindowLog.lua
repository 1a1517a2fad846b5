-- SLIDING_WINDOW_LOG: one sorted-set entry per permit, scored by its time. Twin of dev.ratelimit.memory.SlidingWindowLog.
-- An entry taken at time s counts while te < s + window. The newest entry's time is the last commit's, so the
-- effective time te never goes back. Members are "<te>:<i>", i numbering the entries of the same time from 0: no
-- entry of time te is ever pruned at te (pruning takes times <= te - window) and te never goes back, so a commit
-- numbers its entries from the count of those already at te, and every member is unique even when thousands of
-- permits are taken in the same microsecond (under any window: a changed rule reads the same log).
-- Expired entries are counted out by the check and removed by the commit, so a denied request writes nothing.
-- A block is the log's only member, 'block', scored with the block's end (see RateLimiter.lua).
-- @check
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
local newest, ends = last[2], false
if last[1] == 'block' then newest, ends = nil, tonumber(last[2]) end -- a block: no entry, no commit time
if ends and ends > t then
  ok, remaining, reset, retry, a, b = false, 0, ends - t, ends - t, t, false -- blocked: b = false says so
else
  local te = t
  if newest then
    newest = tonumber(newest)
    if newest > te then te = newest end
    -- a commit keeps the log for the longer of its window and the counter's own (cw), so only a changed rule with a
    -- longer window must make it live on until its newest entry leaves that window (written passed or not)
    if window > cw then redis.call('PEXPIRE', key, ttl(newest + window)) end
  end
  local live = '(' .. string.format('%d', te - window) -- a check prunes nothing: a denial writes nothing
  local n = ends and 0 or redis.call('ZCOUNT', key, live, '+inf') -- a block that has ended: a fresh log

  ok = n + cost <= limit
  reset = n > 0 and (newest + window - te) or 0
  if ok then
    retry = 0
  else
    -- the request fits once the (n + cost - limit) oldest entries have expired
    local kth = redis.call('ZRANGEBYSCORE', key, live, '+inf', 'WITHSCORES', 'LIMIT', n + cost - limit - 1, 1)
    retry = tonumber(kth[2]) + window - te
  end
  remaining, a, b, c = limit - n, te, n, ends -- c: an ended block, which the commit removes
end
-- @commit
local te, n = a, b
if c then redis.call('DEL', key) end -- the ended block the log held
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', te - window))
local score = string.format('%d', te)
local m = redis.call('ZCOUNT', key, score, score) -- the entries already at te: 0 unless several commits share te
if cost == 1 then
  redis.call('ZADD', key, score, score .. ':' .. string.format('%d', m))
else
  local args = {}
  for i = 0, cost - 1 do
    args[#args + 1] = score
    args[#args + 1] = score .. ':' .. string.format('%d', m + i)
    if #args == 1000 or i == cost - 1 then -- batches keep unpack() within Lua's stack limit
      redis.call('ZADD', key, unpack(args))
      args = {}
    end
  end
end
redis.call('PEXPIRE', key, ttl(te + math.max(window, cw)))
remaining, reset, more = limit - n - cost, window, window
if n > 0 then -- a request of cost remaining + 1 fits once the oldest entry has expired
  more = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]) + window - te
end
