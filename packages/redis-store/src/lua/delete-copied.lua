-- The last half of a merge: deletes the entries it copied, and the stream when nothing else is left.
-- KEYS[1] stream: the anonymous id's stream the entries were copied from
-- ARGV[1...] ids: the ids of the entries copied
-- RETURNS deleted: how many entries were deleted
local deleted = 0
-- In slices: Lua's unpack takes only a few thousand values at once.
for first = 1, #ARGV, 1000 do
  deleted = deleted + redis.call('XDEL', KEYS[1], unpack(ARGV, first, math.min(first + 999, #ARGV)))
end
if redis.call('XLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return { 'deleted', deleted }
