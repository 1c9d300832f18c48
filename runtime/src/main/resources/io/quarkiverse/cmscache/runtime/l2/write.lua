-- Stores an entry unless one of its tags was invalidated after the basis it is checked against ("set after delete"
-- guard): the tag's own basis when given (the basis of the read the tag came from), else the entry's.
-- KEYS[1]          the entry
-- KEYS[2 .. n+1]   the version key of each tag
-- KEYS[n+2 .. 2n+1] the set of each tag
-- KEYS[2n+2] the group's floor, KEYS[2n+3] its version floor, KEYS[2n+4] its index of tag sets
-- (every key in the entry's slot group)
-- ARGV[1] basis, ARGV[2] meta, ARGV[3] tags field, ARGV[4] value, ARGV[5] entry TTL ms,
-- ARGV[6 .. n+5] optionally, the basis of each tag
-- Returns 1 when stored, 0 when refused as stale.
local n = (#KEYS - 4) / 2
local basis = tonumber(ARGV[1])
-- Loaded before the namespace's last rewind (below the floor): it may hold content invalidated since.
local lowest = basis
for i = 6, 5 + n do
  if ARGV[i] and tonumber(ARGV[i]) < lowest then
    lowest = tonumber(ARGV[i])
  end
end
local floor = redis.call('GET', KEYS[2 * n + 2])
if floor and lowest < tonumber(floor) then
  return 0
end
-- Loaded since before a tag version the sweep has deleted (older than the retention): it may depend on that
-- invalidation, which can no longer be checked.
local versionFloor = redis.call('GET', KEYS[2 * n + 3])
if versionFloor and basis < tonumber(versionFloor) then
  return 0
end
for i = 2, n + 1 do
  local version = redis.call('GET', KEYS[i])
  if version then
    local limit = basis
    if ARGV[4 + i] then
      limit = tonumber(ARGV[4 + i])
    end
    if tonumber(version) > limit then
      return 0
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'm', ARGV[2], 't', ARGV[3], 'v', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
-- Tag sets have no TTL, so that a Redis that evicts keys with a TTL (the volatile-* policies) never evicts one:
-- they are kept bounded by pruning instead. Each write checks two random members of each of its sets and removes
-- those whose entry is gone or no longer carries the tag (the metadata sweep does the same for sets nobody writes).
for i = n + 2, 2 * n + 1 do
  redis.call('SADD', KEYS[i], KEYS[1])
  local tag = string.sub(KEYS[i], string.find(KEYS[i], '}:t:', 1, true) + 4)
  -- The index the metadata sweep walks (SSCAN, routed to this slot also on a cluster, where SCAN is not).
  redis.call('SADD', KEYS[2 * n + 4], tag)
  local needle = ' ' .. tag .. ' '
  for _, member in ipairs(redis.call('SRANDMEMBER', KEYS[i], 2)) do
    if member ~= KEYS[1] then
      local carried = redis.call('HGET', member, 't')
      if not carried or not string.find(carried, needle, 1, true) then
        redis.call('SREM', KEYS[i], member)
      end
    end
  end
end
return 1
