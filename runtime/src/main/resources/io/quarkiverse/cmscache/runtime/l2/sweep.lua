-- Keeps the cache's metadata bounded without TTLs (which an evicting Redis could act on): deletes the tag versions
-- older than the retention, oldest first, and prunes the given tag sets of members whose entry is gone or no longer
-- carries the tag (a set left empty disappears). A set keeps being pruned, 20 random members at a time, while at
-- least half of those checked were dead. Bounded: at most ARGV[2] versions and ARGV[3] member checks per call.
-- The highest sequence number among the versions deleted is kept in the version floor: a write whose load began
-- below it may depend on an invalidation whose version is gone, and write.lua refuses it.
-- A pruned set left empty disappears, and leaves the index of tag sets.
-- KEYS[1] the index of tag versions by time, KEYS[2] the version floor, KEYS[3] the index of tag sets,
-- KEYS[4 ..] tag sets to prune
-- ARGV[1] how long (ms) a version is kept, ARGV[2] max versions, ARGV[3] max member checks,
-- ARGV[4] the prefix of version keys ('{group}:v:')
-- Every key is in one slot group.
-- Returns { versions deleted, members removed }.
local time = redis.call('TIME')
local cutoff = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[1])
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', cutoff), 'LIMIT', 0,
  tonumber(ARGV[2]))
local forgotten = 0
for _, tag in ipairs(old) do
  local version = tonumber(redis.call('GET', ARGV[4] .. tag) or '0')
  if version > forgotten then
    forgotten = version
  end
  redis.call('UNLINK', ARGV[4] .. tag)
  redis.call('ZREM', KEYS[1], tag)
end
if forgotten > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], string.format('%d', forgotten))
end
local budget = tonumber(ARGV[3])
local removed = 0
for i = 4, #KEYS do
  local tag = string.sub(KEYS[i], string.find(KEYS[i], '}:t:', 1, true) + 4)
  local needle = ' ' .. tag .. ' '
  local keepGoing = true
  while keepGoing and budget > 0 do
    local sample = redis.call('SRANDMEMBER', KEYS[i], math.min(20, budget))
    local dead = 0
    for _, member in ipairs(sample) do
      local carried = redis.call('HGET', member, 't')
      if not carried or not string.find(carried, needle, 1, true) then
        dead = dead + redis.call('SREM', KEYS[i], member)
      end
    end
    budget = budget - #sample
    removed = removed + dead
    keepGoing = #sample > 0 and dead * 2 >= #sample
  end
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('SREM', KEYS[3], tag)
  end
end
return { #old, removed }
