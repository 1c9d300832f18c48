-- Returns the current invalidation sequence number, starting the sequence as invalidate.lua does if it is missing.
-- KEYS[1] sequence
if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000)))
end
return redis.call('GET', KEYS[1])
