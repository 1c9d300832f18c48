-- Returns the current invalidation sequence number and the floor, starting the sequence as invalidate.lua does if it
-- is missing.
-- KEYS[1] sequence, KEYS[2] floor
-- Returns { sequence, floor (0 if none) }.
if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000)))
end
return { tonumber(redis.call('GET', KEYS[1])), tonumber(redis.call('GET', KEYS[2]) or '0') }
