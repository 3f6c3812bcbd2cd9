-- Gives each key of a conversation the link's remaining lifetime, so none outlives its link.
-- KEYS[1] link: the conversation's link hash
-- KEYS[2...] conversationKeys: the keys that follow it (those that do not exist are left alone)
-- ARGV[1] orphanTtlMs: the lifetime of a key written after the link ended
-- RETURNS followed: 1 when the keys took a lifetime, 0 when the link never expires (nothing done)
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then return { 'followed', 0 } end
if ttl < 0 then ttl = tonumber(ARGV[1]) end
for index = 2, #KEYS do
  if redis.call('EXISTS', KEYS[index]) == 1 then redis.call('PEXPIRE', KEYS[index], ttl) end
end
return { 'followed', 1 }
