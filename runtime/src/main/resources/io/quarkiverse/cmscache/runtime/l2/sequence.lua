-- Returns the current invalidation sequence number, the floor, the oldest invalidations still pending in some slot
-- group, and the namespace's layout, starting the sequence as invalidate.lua does if it is missing. One script, so
-- that the invalidations listed are exactly those pending up to the sequence number returned.
-- KEYS[1] sequence, KEYS[2] floor, KEYS[3] the pending set, KEYS[4] the layout
-- ARGV[1] how many pending invalidations to list at most (the oldest), ARGV[2] the caller's layout
-- The first instance records its layout (the number of slot groups); an instance with another one must not use the
-- namespace, whose entries it would look for in other groups.
-- Returns { sequence, floor (0 if none), { '<seq>:<tag>', ... }, the namespace's layout }.
if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000)))
end
redis.call('SET', KEYS[4], ARGV[2], 'NX')
return { tonumber(redis.call('GET', KEYS[1])), tonumber(redis.call('GET', KEYS[2]) or '0'),
  redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[1]) - 1), redis.call('GET', KEYS[4]) }
