-- Invalidates tags: takes the next sequence number, records it as each tag's version, deletes every entry that
-- still carries one of the tags, logs and publishes the invalidation. Atomic, so a concurrent write either lands
-- before (and is deleted) or after (and is refused by write.lua).
-- KEYS[1] sequence, KEYS[2] log, then for each tag i: KEYS[1+2i] its version key, KEYS[2+2i] its set; then the index
-- of tag versions by time (a sorted set, for the metadata sweep), the drains ('{ns}:drains', a sorted set of
-- '<seq>:<tag>' by seq; each drain is the key '{ns}:drain:<seq>:<tag>'), the index of tag sets; last, the floor
-- ARGV[1] origin instance, ARGV[2] the highest sequence number the caller has seen, ARGV[3] log size, ARGV[4] channel,
-- ARGV[5] the message's details without their last field and closing brace ('{<ms>;<trigger>;<source>'),
-- ARGV[6] the floor the caller knows, ARGV[7 ..] the tags
-- A tag whose set has more than 1000 members is not checked here (see below): its entries are deleted by drain.lua.
-- Returns { sequence number, entries deleted, the message, the floor, the tags left to drain }.
local floorKey = KEYS[#KEYS]
local tagIndex = KEYS[#KEYS - 1]
local drains = KEYS[#KEYS - 2]
local versionIndex = KEYS[#KEYS - 3]
local drainPrefix = string.sub(drains, 1, -2) .. ':'
local draining = {}
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- A new (or wiped) Redis starts the sequence at the current time in ms, above any number handed out before,
  -- so that instances see a gap and reconcile instead of mistaking new numbers for ones already applied.
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000)))
end
local current = tonumber(redis.call('GET', KEYS[1]))
local floor = tonumber(redis.call('GET', floorKey) or '0')
if current < tonumber(ARGV[2]) or floor < tonumber(ARGV[6]) then
  -- Redis is behind what the caller has seen: it went back in time (see recover.lua, which does the same). The
  -- invalidation must not take a number instances count as applied already.
  local new = math.max(current, floor, tonumber(ARGV[2]), tonumber(ARGV[6])) + 1000000
  floor = new
  local text = string.format('%d', new)
  redis.call('SET', KEYS[1], text)
  redis.call('SET', floorKey, text)
  redis.call('DEL', KEYS[2])
  redis.call('PUBLISH', ARGV[4], 'rewind ' .. text)
end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local seq = redis.call('INCR', KEYS[1])
local seqText = string.format('%d', seq)
local deleted = 0
local tags = {}
for i = 7, #ARGV do
  local tag = ARGV[i]
  local k = i - 6
  tags[k] = tag
  -- No TTL, so that no eviction policy of the volatile-* kind can drop it; the metadata sweep deletes it once it is
  -- older than the retention, through the index of versions by time.
  redis.call('SET', KEYS[1 + 2 * k], seqText)
  redis.call('ZADD', versionIndex, nowMs, tag)
  local set = KEYS[2 + 2 * k]
  if redis.call('SCARD', set) > 1000 then
    -- Too many members to check in this script without blocking Redis: the set becomes a drain, which bounded steps
    -- empty (drain.lua) while every instance treats the tag's entries loaded before this invalidation as misses.
    local drain = drainPrefix .. seqText .. ':' .. tag
    redis.call('RENAME', set, drain)
    redis.call('SREM', tagIndex, tag)
    redis.call('ZADD', drains, seq, seqText .. ':' .. tag)
    draining[#draining + 1] = tag
    redis.call('PUBLISH', ARGV[4], 'drain ' .. seqText .. ' ' .. tag)
  else
    local needle = ' ' .. tag .. ' '
    local members = redis.call('SMEMBERS', set)
    -- A set member may have been rewritten since without the tag: only entries that still carry it go.
    local doomed = {}
    for _, member in ipairs(members) do
      local carried = redis.call('HGET', member, 't')
      if carried and string.find(carried, needle, 1, true) then
        doomed[#doomed + 1] = member
      end
    end
    -- In batches: one call per 500 entries rather than one per entry, and freed off the main thread.
    for first = 1, #doomed, 500 do
      deleted = deleted + redis.call('UNLINK', unpack(doomed, first, math.min(first + 499, #doomed)))
    end
    redis.call('UNLINK', set)
    redis.call('SREM', tagIndex, tag)
  end
end
local message = seqText .. ' ' .. ARGV[1] .. ' ' .. ARGV[5] .. ';' .. deleted .. '} ' .. table.concat(tags, ' ')
redis.call('LPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call('PUBLISH', ARGV[4], message)
return { seq, deleted, message, floor, draining }
