-- Lists the entries that currently carry a tag.
-- KEYS[1] the tag's set; ARGV[1] the tag
local needle = ' ' .. ARGV[1] .. ' '
local result = {}
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local carried = redis.call('HGET', member, 't')
  if carried and string.find(carried, needle, 1, true) then
    result[#result + 1] = member
  end
end
return result
