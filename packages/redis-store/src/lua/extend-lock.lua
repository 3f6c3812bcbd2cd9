-- Extends a lock only for its holder.
-- KEYS[1] lock: the lock's key
-- ARGV[1] token: the holder's token
-- ARGV[2] ttlMs: the new lifetime in ms
-- RETURNS extended: 1 when the caller still held the lock (now for ttlMs more), 0 when it was lost
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return { 'extended', redis.call('PEXPIRE', KEYS[1], ARGV[2]) }
end
return { 'extended', 0 }
