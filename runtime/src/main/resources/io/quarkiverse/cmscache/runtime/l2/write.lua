-- Stores an entry unless one of its tags was invalidated after the basis it is checked against ("set after delete"
-- guard): the tag's own basis when given (the basis of the read the tag came from), else the entry's.
-- KEYS[1]          the entry
-- KEYS[2 .. n+1]   the version key of each tag
-- KEYS[n+2 .. 2n+1] the set of each tag
-- ARGV[1] basis, ARGV[2] meta, ARGV[3] tags field, ARGV[4] value, ARGV[5] entry TTL ms, ARGV[6] tag set TTL ms,
-- ARGV[7 .. n+6] optionally, the basis of each tag
-- Returns 1 when stored, 0 when refused as stale.
local n = (#KEYS - 1) / 2
local basis = tonumber(ARGV[1])
for i = 2, n + 1 do
  local version = redis.call('GET', KEYS[i])
  if version then
    local limit = basis
    if ARGV[5 + i] then
      limit = tonumber(ARGV[5 + i])
    end
    if tonumber(version) > limit then
      return 0
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'm', ARGV[2], 't', ARGV[3], 'v', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local setTtl = tonumber(ARGV[6])
for i = n + 2, 2 * n + 1 do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < setTtl then
    redis.call('PEXPIRE', KEYS[i], setTtl)
  end
end
return 1
