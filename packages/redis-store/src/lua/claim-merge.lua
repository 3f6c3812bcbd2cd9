-- The first half of a merge, on the anonymous id's slot: checks the id may be merged (it never said
-- or proved it is a user, and has no conversation), claims it for the user (once: the pointer is only
-- ever set when absent), and answers what it holds. The copy into the user runs on the user's slot,
-- so on Redis Cluster it cannot be in this script; the entries are deleted afterwards by id
-- (delete-copied.lua), so what arrives in between is never lost.
-- KEYS[1] history: the anonymous id's actions stream
-- KEYS[2] pending: the anonymous id's pending-actions stream (CAPTURE_IDENTITY=require)
-- KEYS[3] identifiedAs: the pointer to the user the id was merged into
-- KEYS[4] identified: the marker of an id that said or proved it is a user
-- KEYS[5] conversations: the id's set of linked conversations
-- ARGV[1] into: the user id merged into
-- ARGV[2] retentionSeconds: how long the pointer lives
-- ARGV[3] oldestKeptId: the oldest stream id still within the retention
-- ARGV[4] maxEntries: the most entries to move, per stream
-- RETURNS outcome: 'merged', 'identified', 'has_conversation' or 'already_merged'
-- RETURNS actions: ('merged' only) the history's newest entries, as XREVRANGE answers them
-- RETURNS pending: ('merged' only) the pending stream's newest entries, the same way
if redis.call('EXISTS', KEYS[4]) == 1 then return { 'outcome', 'identified' } end
if redis.call('EXISTS', KEYS[5]) == 1 then return { 'outcome', 'has_conversation' } end
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return { 'outcome', 'already_merged' }
end
return {
  'outcome', 'merged',
  'actions', redis.call('XREVRANGE', KEYS[1], '+', ARGV[3], 'COUNT', ARGV[4]),
  'pending', redis.call('XREVRANGE', KEYS[2], '+', ARGV[3], 'COUNT', ARGV[4]),
}
