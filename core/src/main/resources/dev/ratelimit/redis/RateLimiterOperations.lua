-- An operator's operation on one client's state on one rule's counter (RateLimiter#reset, #block, #refund), one atomic
-- call. Runs after the prelude.
-- KEYS[1]  the state key
-- ARGV[2]  the operation: "reset", "block" or "refund"
-- ARGV[3..5]  the algorithm index (1..5), the counter's own limit and window (us): a state that holds no limit and
--          window of its own was written under these
-- ARGV[6]  "block": the block's duration (us); "refund": the permits to give back (at least 1)
-- ARGV[7], ARGV[8]  a channel and a message (the client key) published once the state has changed, so that the local
--          denial caches of every instance drop that client's denials
-- Reply: 1.
--
-- reset: the state is deleted (a block included). block: see RateLimiter.lua. refund, never above the limit, never on a
-- blocked state, the state's time and TTL kept (a state that equals a fresh one afterwards is deleted):
-- - FIXED_WINDOW: the count of the current window (of max(now, last commit)) goes down by the permits, to 0 at least.
-- - SLIDING_WINDOW_COUNTER: the current window's count goes down, then the previous window's with what is left (both
--   windows as of max(now, last commit)).
-- - SLIDING_WINDOW_LOG: the newest entries are removed, that many (fewer when the log holds fewer).
-- - TOKEN_BUCKET: the tokens grow by the permits, at most to the limit the state was written under.
-- - GCRA: the TAT moves back by permits x emission interval, and the state is deleted once it is not ahead of
--   max(now, last commit).
-- Writes a state's numbers back, keeping its TTL.
local function rewrite(key, v)
  local parts = {}
  for j = 1, #v do parts[j] = string.format('%d', v[j]) end
  redis.call('SET', key, table.concat(parts, ' '), 'KEEPTTL')
end

local key, op = KEYS[1], ARGV[2]
local alg, cl, cw, amount = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
if op == 'reset' then
  redis.call('DEL', key)
elseif op == 'block' then
  block(key, alg, amount)
elseif alg == 2 then -- refund on the log: the newest entries, each time's highest numbers first (as a commit numbers)
  local left = amount
  while left > 0 do
    local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    if not last[1] or last[1] == 'block' then break end
    local score = string.format('%d', tonumber(last[2]))
    local m = redis.call('ZCOUNT', key, score, score)
    local k = math.min(left, m)
    local members = {}
    for j = m - k, m - 1 do
      members[#members + 1] = score .. ':' .. string.format('%d', j)
      if #members == 1000 or j == m - 1 then -- batches keep unpack() within Lua's stack limit
        redis.call('ZREM', key, unpack(members))
        members = {}
      end
    end
    left = left - k
  end
else -- refund on a string state
  local state = redis.call('GET', key)
  if state and not blocked(state) then
    local v = {}
    for number in string.gmatch(state, '%S+') do v[#v + 1] = tonumber(number) end
    local write, gone = false, false
    if alg == 1 then -- "<tl> <n>[ <limit> <window>]"
      local tl, w0 = v[1], v[4] or cw
      local te = math.max(now, tl)
      if tl - tl % w0 == te - te % w0 then
        v[2] = math.max(0, v[2] - amount)
        write, gone = true, v[2] == 0
      end
    elseif alg == 3 then -- "<tl> <cur> <prev>[ <limit> <window>]"
      local tl, w0 = v[1], v[5] or cw
      local te = math.max(now, tl)
      local wl, ws = tl - tl % w0, te - te % w0
      if wl == ws then
        local take = math.min(v[2], amount)
        v[2], v[3] = v[2] - take, math.max(0, v[3] - (amount - take))
        write, gone = true, v[2] == 0 and v[3] == 0
      elseif wl == ws - w0 then -- the state's current window is the previous one now
        v[2] = math.max(0, v[2] - amount)
        write, gone = true, v[2] == 0
      end
    elseif alg == 4 then -- "<k> <f> <tl>[ <limit> <window>]"
      local l0 = v[4] or cl
      v[1] = v[1] + amount
      write, gone = true, v[1] >= l0
    else -- GCRA "<tw> <tr> <tl>[ <limit> <window>]"
      local l0, w0 = v[4] or cl, v[5] or cw
      local te = math.max(now, v[3])
      local q, r = muldiv(amount, w0, l0)
      v[1], v[2] = v[1] - q, v[2] - r
      if v[2] < 0 then v[1], v[2] = v[1] - 1, v[2] + l0 end
      write, gone = true, v[1] < te or (v[1] == te and v[2] == 0)
    end
    if gone then
      redis.call('DEL', key)
    elseif write then
      rewrite(key, v)
    end
  end
end
redis.call('PUBLISH', ARGV[7], ARGV[8])
return 1
