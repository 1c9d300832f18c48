-- Returns the current invalidation sequence number, the floor and the drains in progress, starting the sequence as
-- invalidate.lua does if it is missing. One script, so that the drains listed are exactly those started up to the
-- sequence number returned.
-- KEYS[1] sequence, KEYS[2] floor, KEYS[3] the index of drains
-- ARGV[1] how many drains to list at most (the oldest)
-- Returns { sequence, floor (0 if none), { '<seq>:<tag>', ... } }.
if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000)))
end
return { tonumber(redis.call('GET', KEYS[1])), tonumber(redis.call('GET', KEYS[2]) or '0'),
  redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[1]) - 1) }
