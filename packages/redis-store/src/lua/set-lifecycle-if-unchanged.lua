-- Compare-and-set of the lifecycle record; renews the lifetime of every key of the conversation.
-- KEYS[1] lifecycle: the conversation's lifecycle hash
-- KEYS[2] delivery: the conversation's delivery hash (takes the catch-up mark)
-- KEYS[3...] others: every other key of the conversation, whose lifetime is renewed
-- ARGV[1] expectedState: the state the caller read ('' for none)
-- ARGV[2] expectedAt: the time the caller read ('' for none)
-- ARGV[3] state: the next state
-- ARGV[4] at: the next state's time
-- ARGV[5] catchUp: the catch-up mark (JSON), '' for none
-- ARGV[6] ttlMs: the renewed lifetime
-- RETURNS changed: 1 when the record was as expected and is now the next one, 0 when it had moved
local current = redis.call('HMGET', KEYS[1], 'state', 'at')
local state = current[1] or ''
local at = current[2] or ''
if state ~= ARGV[1] or at ~= ARGV[2] then return { 'changed', 0 } end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'at', ARGV[4])
if ARGV[5] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HSET', KEYS[2], 'catchUp', ARGV[5]) end
for index = 1, #KEYS do
  if redis.call('EXISTS', KEYS[index]) == 1 then redis.call('PEXPIRE', KEYS[index], ARGV[6]) end
end
return { 'changed', 1 }
