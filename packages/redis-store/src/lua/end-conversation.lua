-- Deletes every key of the conversation but the lifecycle record, which becomes a tombstone.
-- KEYS[1] lifecycle: the conversation's lifecycle hash (the tombstone)
-- KEYS[2...] others: every other key of the conversation (deleted)
-- ARGV[1] at: the time the conversation ended
-- ARGV[2] reason: why it ended
-- ARGV[3] tombstoneMs: how long the tombstone stays
-- ARGV[4] productId: whose it was ('' when unknown), so that erasing the user finds the tombstone too
-- ARGV[5] userId: whose it was
-- ARGV[6] conversationId: the conversation
-- RETURNS ended: always 1
for index = 2, #KEYS do redis.call('DEL', KEYS[index]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'ended', 'at', ARGV[1], 'reason', ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'productId', ARGV[4], 'userId', ARGV[5], 'conversationId', ARGV[6]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return { 'ended', 1 }
