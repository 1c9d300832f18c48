-- Applies an invalidation in one slot group: records its number as each tag's version (so that write.lua refuses an
-- entry loaded before it) and deletes the group's entries that carry a tag and were loaded before it. Idempotent, so
-- that any instance may apply a pending invalidation again (after its invalidating instance failed half-way):
-- a tag whose version is at or above the number was applied already, by this invalidation or a later one.
-- A tag set of more than ARGV[5] members is not checked here: it becomes the drain of this invalidation, which each
-- later call empties by at most ARGV[3] members. An entry stored since the invalidation (basis at or above it) stays, and
-- stays registered under the tag.
-- Also raises the group's floor to the namespace's floor (entries loaded before it are refused as writes), and its
-- mark, the highest sequence number applied in the group (or the floor, below which nothing counts): an instance that
-- knows every invalidation up to some number was applied everywhere finds a mark below it after the group's Redis
-- went back in time. A group without a mark (new, or emptied) takes the number the caller knows complete: an empty
-- group holds nothing stale.
-- KEYS[1] the group's floor, KEYS[2] its index of tag versions by time, KEYS[3] its index of tag sets, KEYS[4] its
-- mark, then for each tag i: KEYS[2+3i] its version key, KEYS[3+3i] its set, KEYS[4+3i] its drain for this invalidation
-- ARGV[1] the sequence number (0: only raise the floor), ARGV[2] the floor, ARGV[3] how many drain members to take
-- at most, ARGV[4] the number up to which the caller knows every invalidation applied everywhere, ARGV[5] the size
-- above which a tag set becomes a drain, ARGV[6 ..] the tags
-- Returns { entries deleted, { drain members left, for each tag }, the group's mark before this call }.
local seq = tonumber(ARGV[1])
local seqText = ARGV[1]
if tonumber(ARGV[2]) > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], ARGV[2])
end
local markText = redis.call('GET', KEYS[4])
local mark = tonumber(markText or ARGV[4])
local newMark = math.max(mark, seq, tonumber(ARGV[2]))
if not markText or newMark > mark then
  redis.call('SET', KEYS[4], string.format('%d', newMark))
end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local deleted = 0
local left = {}

-- Deletes those of the members that carry the tag and were loaded before the invalidation; forgets those that no
-- longer carry it; registers the others (stored since) in the tag's current set again if they came from a drain.
local function settle(members, tag, set, fromDrain)
  local needle = ' ' .. tag .. ' '
  local doomed = {}
  for _, member in ipairs(members) do
    local fields = redis.call('HMGET', member, 'm', 't')
    if fields[2] and string.find(fields[2], needle, 1, true) then
      local basis = fields[1] and tonumber(string.match(fields[1], '^%S+ (%d+)'))
      if not basis or basis < seq then
        doomed[#doomed + 1] = member
      elseif fromDrain then
        redis.call('SADD', set, member)
        redis.call('SADD', KEYS[3], tag)
      end
    elseif not fromDrain then
      redis.call('SREM', set, member)
    end
  end
  for first = 1, #doomed, 500 do
    deleted = deleted + redis.call('UNLINK', unpack(doomed, first, math.min(first + 499, #doomed)))
    if not fromDrain then
      redis.call('SREM', set, unpack(doomed, first, math.min(first + 499, #doomed)))
    end
  end
end

for i = 6, #ARGV do
  local tag = ARGV[i]
  local k = i - 5
  local versionKey, set, drain = KEYS[2 + 3 * k], KEYS[3 + 3 * k], KEYS[4 + 3 * k]
  local renamed = false
  if tonumber(redis.call('GET', versionKey) or '0') < seq then
    -- No TTL, so that no eviction policy of the volatile-* kind can drop it; the metadata sweep deletes it once it is
    -- older than the retention, through the index of versions by time.
    redis.call('SET', versionKey, seqText)
    redis.call('ZADD', KEYS[2], nowMs, tag)
    if redis.call('SCARD', set) > tonumber(ARGV[5]) then
      -- Too many members to check in one script without blocking Redis: bounded steps empty the drain.
      redis.call('RENAME', set, drain)
      redis.call('SREM', KEYS[3], tag)
      renamed = true
    else
      settle(redis.call('SMEMBERS', set), tag, set, false)
      if redis.call('EXISTS', set) == 0 then
        redis.call('SREM', KEYS[3], tag)
      end
    end
  end
  left[k] = 0
  if redis.call('EXISTS', drain) == 1 then
    if not renamed then
      settle(redis.call('SPOP', drain, tonumber(ARGV[3])), tag, set, true)
    end
    left[k] = redis.call('SCARD', drain)
  end
end
return { deleted, left, mark }
