-- One bounded step of a drain: the entries registered under a tag when a large invalidation of it ran, which that
-- invalidation did not delete itself (see invalidate.lua). Takes up to ARGV[3] members out of the drain and deletes
-- those whose entry still carries the tag and was loaded before the invalidation (its basis, in the 'm' field, is
-- below it): an entry stored since is valid. A step that is interrupted loses nothing: the members it took are
-- dealt with in the same script, and the rest stay in the drain for the next step, by any instance. An empty drain
-- disappears, and leaves the index of drains.
-- KEYS[1] the drain, KEYS[2] the index of drains
-- ARGV[1] the invalidation's sequence number, ARGV[2] the tag, ARGV[3] how many members to take at most
-- Returns { entries deleted, members left }.
local seq = tonumber(ARGV[1])
local needle = ' ' .. ARGV[2] .. ' '
local deleted = 0
local members = redis.call('SPOP', KEYS[1], tonumber(ARGV[3]))
local doomed = {}
for _, member in ipairs(members) do
  local fields = redis.call('HMGET', member, 'm', 't')
  if fields[2] and string.find(fields[2], needle, 1, true) then
    local basis = fields[1] and tonumber(string.match(fields[1], '^%S+ (%d+)'))
    if not basis or basis < seq then
      doomed[#doomed + 1] = member
    end
  end
end
for first = 1, #doomed, 500 do
  deleted = deleted + redis.call('UNLINK', unpack(doomed, first, math.min(first + 499, #doomed)))
end
local left = redis.call('SCARD', KEYS[1])
if left == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1] .. ':' .. ARGV[2])
end
return { deleted, left }
