-- Takes the number of an invalidation, in the namespace's control slot: the next sequence number, recorded in the
-- log and published, and each tag recorded as pending ('<seq>:<tag>' in the pending set) until every slot group has
-- applied it (apply.lua) and removed it. Instances that receive the message treat the tags' entries loaded before
-- it as misses while it is pending, so that an entry a group has not deleted yet is never served as fresh.
-- KEYS[1] sequence, KEYS[2] log, KEYS[3] the pending set, KEYS[4] the floor
-- ARGV[1] origin instance, ARGV[2] the highest sequence number the caller has seen, ARGV[3] log size, ARGV[4] channel,
-- ARGV[5] the message's details without their last field and closing brace ('{<ms>;<trigger>;<source>'),
-- ARGV[6] the floor the caller knows, ARGV[7] how many invalidations may be pending at most, ARGV[8 ..] the tags
-- Returns { sequence number, the message, the floor }.
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- A new (or wiped) Redis starts the sequence at the current time in ms, above any number handed out before,
  -- so that instances see a gap and reconcile instead of mistaking new numbers for ones already applied.
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000)))
end
local current = tonumber(redis.call('GET', KEYS[1]))
local floor = tonumber(redis.call('GET', KEYS[4]) or '0')
local backlog = redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[7])
if current < tonumber(ARGV[2]) or floor < tonumber(ARGV[6]) or backlog then
  -- Redis is behind what the caller has seen: it went back in time (see recover.lua, which does the same). The
  -- invalidation must not take a number instances count as applied already.
  -- Or the pending set reached its bound (a slot group has not answered for that many invalidations): it is emptied,
  -- and the new floor, above every invalidation it held, turns the entries they were to delete into misses instead.
  local new = math.max(current, floor, tonumber(ARGV[2]), tonumber(ARGV[6])) + 1000000
  if backlog then
    redis.call('DEL', KEYS[3])
  end
  floor = new
  local text = string.format('%d', new)
  redis.call('SET', KEYS[1], text)
  redis.call('SET', KEYS[4], text)
  redis.call('DEL', KEYS[2])
  redis.call('PUBLISH', ARGV[4], 'rewind ' .. text)
end
local seq = redis.call('INCR', KEYS[1])
local seqText = string.format('%d', seq)
local tags = {}
for i = 8, #ARGV do
  tags[#tags + 1] = ARGV[i]
  redis.call('ZADD', KEYS[3], seq, seqText .. ':' .. ARGV[i])
end
-- The count of entries deleted is not known yet: the groups delete them after this (-1, unknown).
local message = seqText .. ' ' .. ARGV[1] .. ' ' .. ARGV[5] .. ';-1} ' .. table.concat(tags, ' ')
redis.call('LPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call('PUBLISH', ARGV[4], message)
return { seq, message, floor }
