-- Writes the link and the delivery start together, only if the conversation has no link yet; the
-- lifecycle record is written open unless one is there (a close that arrived before the link).
-- KEYS[1] link: the conversation's link hash
-- KEYS[2] delivery: the conversation's delivery hash
-- KEYS[3] lifecycle: the conversation's lifecycle hash
-- KEYS[4] awaiting: the conversation's awaiting-merge hash (deleted: the wait is over)
-- ARGV[1] fields: the link's fields (JSON object)
-- ARGV[2] cursor: the delivery cursor the first note starts after
-- ARGV[3] ttlMs: the lifetime of link, delivery and lifecycle
-- ARGV[4] at: the lifecycle time of a new open record
-- RETURNS created: 1 when this call linked the conversation, 0 when it was linked already
if redis.call('EXISTS', KEYS[1]) == 1 then return { 'created', 0 } end
local fields = cjson.decode(ARGV[1])
for name, value in pairs(fields) do redis.call('HSET', KEYS[1], name, value) end
redis.call('HSET', KEYS[2], 'cursor', ARGV[2], 'nextNumber', '1')
if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('HSET', KEYS[3], 'state', 'open', 'at', ARGV[4]) end
redis.call('DEL', KEYS[4])
for index = 1, 3 do redis.call('PEXPIRE', KEYS[index], ARGV[3]) end
return { 'created', 1 }
