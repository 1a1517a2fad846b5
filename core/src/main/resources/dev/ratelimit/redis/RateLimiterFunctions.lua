CHECK[@index] = function(key, t, limit, window, cost, committing, cl, cw, extra)
  local ok, remaining, reset, retry, a, b, c, d
  -- @check
  return ok, remaining, reset, retry, a, b, c, d
end

COMMIT[@index] = function(key, t, limit, window, cost, a, b, c, d, cl, cw, extra)
  local remaining, reset, more
  -- @commit
  return remaining, reset, more
end
