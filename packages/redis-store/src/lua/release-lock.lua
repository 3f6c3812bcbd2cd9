-- Releases a lock only for its holder, so a holder whose lock lapsed cannot free its successor's.
-- KEYS[1] lock: the lock's key (`SET NX PX` with a random token)
-- ARGV[1] token: the holder's token
-- RETURNS released: 1 when the lock was the caller's and is gone, 0 otherwise
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return { 'released', redis.call('DEL', KEYS[1]) }
end
return { 'released', 0 }
