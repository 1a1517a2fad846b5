-- One rule (the common case): the algorithm's blocks inline.
if #KEYS == 1 and mode == '' then
  local key, t, committing = KEYS[1], now, true
  local limit, window, cost = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  local cl, cw = limit, window -- the counter's own limit and window
  local extra = '' -- what a state holds after its algorithm's numbers: ' <limit> <window>' for a changed rule
  if limit == nil then -- a changed rule: "<limit>:<counter limit>:<counter window>"
    local l, ol, ow = string.match(ARGV[4], '^(%d+):(%d+):(%d+)$')
    limit, cl, cw = tonumber(l), tonumber(ol), tonumber(ow)
    if limit ~= cl or window ~= cw then extra = string.format(' %d %d', limit, window) end
  end
  local penalty -- a rule that blocks after a denial: the block's duration
  if cost == nil then -- "<cost>:<duration>"
    local c, p = string.match(ARGV[6], '^(%d+):(%d+)$')
    cost, penalty = tonumber(c), tonumber(p)
  end
  local ok, remaining, reset, retry, more, a, b, c, d
  do
    -- @check
  end
  if ok then
    -- @commit
  elseif penalty and b ~= false then -- denied, not by a block: the denial blocks
    block(key, tonumber(ARGV[3]), penalty)
    remaining, reset, retry, a = 0, penalty, penalty, now
  end
  local behind = a - now -- durations count from now, also when the state's time is ahead of the clock
  local wait = ok and 0 or math.max(1, math.ceil(retry)) + behind -- a denial always has a wait
  return {ok and 1 or 0, math.max(0, remaining), math.max(0, math.ceil(reset)) + behind, wait,
    ok and more + behind or wait}
end
