-- Adds sampled read counts to the "hot" sorted set, with the recipe of each entry, lets the counts fade (they halve
-- every half-life) and keeps the set to its size.
-- KEYS[1] the hot set, KEYS[2] the recipes hash, KEYS[3] when the counts were last decayed (ms)
-- ARGV[1] how many entries to keep, ARGV[2] half-life ms, then triples: entry key, count, recipe JSON ('' if none)
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local last = redis.call('GET', KEYS[3])
if not last then
  redis.call('SET', KEYS[3], string.format('%d', nowMs))
elseif nowMs - tonumber(last) >= 60000 then
  local factor = math.pow(0.5, (nowMs - tonumber(last)) / tonumber(ARGV[2]))
  redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[1], 'WEIGHTS', factor)
  redis.call('SET', KEYS[3], string.format('%d', nowMs))
end
for i = 3, #ARGV, 3 do
  redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i])
  if ARGV[i + 2] ~= '' then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
  end
end
local size = redis.call('ZCARD', KEYS[1])
local keep = tonumber(ARGV[1])
if size > keep then
  local gone = redis.call('ZRANGE', KEYS[1], 0, size - keep - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - keep - 1)
  for _, key in ipairs(gone) do
    redis.call('HDEL', KEYS[2], key)
  end
end
return size
