-- Starts a new generation of the namespace after an instance found that Redis went back in time (a restart from an
-- older snapshot, a failover to a replica that lagged): the floor and the sequence jump above every number handed out
-- before, so that every entry stored before (whose basis is below the floor) is a miss and refused as a write, and
-- every instance drops its L1 when it sees the new floor. Does nothing if the floor rose since the caller looked:
-- another instance recovered already.
-- KEYS[1] sequence, KEYS[2] floor, KEYS[3] log
-- ARGV[1] the highest sequence number the caller has seen, ARGV[2] the floor it knows, ARGV[3] channel
-- Returns { sequence, floor }.
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(redis.call('GET', KEYS[2]) or '0')
if floor > tonumber(ARGV[2]) then
  return { seq, floor }
end
local new = math.max(seq, floor, tonumber(ARGV[1]), tonumber(ARGV[2])) + 1000000
local text = string.format('%d', new)
redis.call('SET', KEYS[1], text)
redis.call('SET', KEYS[2], text)
-- The log told the history Redis forgot part of: no instance may replay from it.
redis.call('DEL', KEYS[3])
redis.call('PUBLISH', ARGV[3], 'rewind ' .. text)
return { new, new }
