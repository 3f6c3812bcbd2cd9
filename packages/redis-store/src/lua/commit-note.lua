-- Records a posted note: cursor and numbering advance, `pending` (and for the catch-up note the
-- catch-up mark) cleared, the note appended; both keys take the link's remaining lifetime.
-- KEYS[1] delivery: the conversation's delivery hash
-- KEYS[2] notes: the conversation's list of written notes
-- KEYS[3] link: the conversation's link hash (its TTL is the lifetime to follow)
-- ARGV[1] cursor: id of the last action the note carries
-- ARGV[2] nextNumber: the number the next action gets
-- ARGV[3] note: the written note (JSON)
-- ARGV[4] clearsCatchUp: '1' when the note was the catch-up note
-- ARGV[5] orphanTtlMs: the lifetime of the keys when the link has already ended
-- ARGV[6] writtenThrough: the latest event time written with this note (ISO; '' leaves it)
-- RETURNS committed: always 1
redis.call('HSET', KEYS[1], 'cursor', ARGV[1], 'nextNumber', ARGV[2])
redis.call('HDEL', KEYS[1], 'pending')
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'writtenThrough', ARGV[6]) end
if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], 'catchUp') end
redis.call('RPUSH', KEYS[2], ARGV[3])
local ttl = redis.call('PTTL', KEYS[3])
if ttl == -1 then return { 'committed', 1 } end
if ttl < 0 then ttl = tonumber(ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return { 'committed', 1 }
