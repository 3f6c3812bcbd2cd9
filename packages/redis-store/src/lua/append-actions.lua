-- append-actions: appends one user's actions of one capture request in one call, leaving out
-- events already stored, and answers that user's linked conversations (so capture asks Redis once
-- per user). Every key is under the user's hash tag `{u:<product>:<user>}`: one Redis Cluster slot.
--
-- KEYS[1]  stream          the user's actions (history), or its pending actions (unverified, apart)
-- KEYS[2]  identified      string `1`: the id is a known user
-- KEYS[3]  seenNow         set of event-id numbers seen in the current dedupe bucket
-- KEYS[4]  seenBefore      the same for the previous bucket
-- KEYS[5]  conversations   set of the user's linked conversation ids (read only)
--
-- ARGV[1]  maxLength       most entries kept in the stream (approximate MAXLEN)
-- ARGV[2]  oldestId        entries older than this stream id are trimmed (approximate MINID)
-- ARGV[3]  retention       the stream's expiry in seconds; only ever raised, so an anonymous-looking
--                          request never shortens an identified user's stream
-- ARGV[4]  markerTtl       the identified marker's expiry in seconds
-- ARGV[5]  seenTtl         the dedupe buckets' expiry in seconds
-- ARGV[6]  markIdentified  `1` to set the identified marker
-- ARGV[7]  withConversations `1` to answer the conversations (history appends; not pending ones)
-- ARGV[8…] the actions, each as: its event-id number ("" for none), its field count n, then n
--          stream fields (name, value, name, value, …)
--
-- At the cap (maxLength entries), an action whose event time (field `a`) is older than that of the
-- oldest entry is left out like a duplicate: trimming would take that entry first, so a late old
-- event never evicts a newer one.
--
-- Returns JSON {ids, kept, isNew, conversations}: the ids appended (in order, duplicates left out),
-- which actions they are (0-based positions in the request), whether the stream did not exist before
-- and got an entry now, and the members of KEYS[5].
local stream, identified, seenNow, seenBefore, conversationsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxLength, oldestId, retention = ARGV[1], ARGV[2], tonumber(ARGV[3])

if ARGV[6] == '1' then redis.call('SET', identified, '1', 'EX', ARGV[4]) end
-- -2: no such key, so the stream is new; otherwise its expiry, raised below when shorter.
local ttl = redis.call('TTL', stream)
-- Counted up with each XADD; MAXLEN ~ never trims below maxLength, so a count at the cap stays true.
local length = redis.call('XLEN', stream)
-- The value of field `name` among `fields[first..last]` (name, value, …), or nil.
local function fieldOf(fields, first, last, name)
  for position = first, last - 1, 2 do
    if fields[position] == name then return fields[position + 1] end
  end
  return nil
end
-- The oldest entry's event time, read once per call: a trim within the call moves the oldest on by
-- whole stream nodes at most, and the value read stays a fair bound for this call's actions.
local keptAt = nil
local function olderThanKept(first, last)
  if length < tonumber(maxLength) then return false end
  if keptAt == nil then
    local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
    keptAt = oldest and fieldOf(oldest[2], 1, #oldest[2], 'a') or false
  end
  local at = fieldOf(ARGV, first, last, 'a')
  -- ISO 8601 UTC times of one format compare as strings.
  return keptAt ~= false and at ~= nil and at < keptAt
end
local ids = {}
local kept = {}
local seenAny = false
local at = 8
local index = 0
while at <= #ARGV do
  local eventId, count = ARGV[at], tonumber(ARGV[at + 1])
  local isDuplicate = false
  if eventId ~= '' then
    seenAny = true
    isDuplicate = redis.call('SISMEMBER', seenBefore, eventId) == 1 or redis.call('SADD', seenNow, eventId) == 0
  end
  if not isDuplicate and not olderThanKept(at + 2, at + 1 + count) then
    ids[#ids + 1] = redis.call('XADD', stream, 'MAXLEN', '~', maxLength, '*', unpack(ARGV, at + 2, at + 1 + count))
    kept[#kept + 1] = index
    length = length + 1
  end
  index = index + 1
  at = at + 2 + count
end
if seenAny then redis.call('EXPIRE', seenNow, ARGV[5]) end
if #ids > 0 then
  redis.call('XTRIM', stream, 'MINID', '~', oldestId)
  if ttl < retention then redis.call('EXPIRE', stream, retention) end
end

local conversations = {}
if ARGV[7] == '1' then conversations = redis.call('SMEMBERS', conversationsKey) end
-- cjson writes an empty Lua table as `{}`; the caller reads either as no entries.
return cjson.encode({ ids = ids, kept = kept, isNew = ttl == -2 and #ids > 0, conversations = conversations })
