-- Compare-and-set of one workspace's sealed token, for `workspaces rekey`: a reinstall that stored a
-- newer token between the read and this write wins.
-- KEYS[1] tokens: the hash of sealed workspace tokens, by product id
-- ARGV[1] productId: the workspace's field in KEYS[1]
-- ARGV[2] expected: the sealed token the caller read and opened
-- ARGV[3] replacement: the same token sealed with the first key
-- RETURNS replaced: 1 when the field still held `expected` and now holds `replacement`, 0 when it had moved
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return { 'replaced', 0 } end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return { 'replaced', 1 }
