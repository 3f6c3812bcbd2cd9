-- append-actions: appends the actions of one capture request for many users in one call, leaving
-- out events already stored, answers each user's linked conversations and, when asked, writes the
-- newly stored history actions to the product's feed too. Every user's keys are under the user's
-- hash tag `{u:<product>:<user>}`; on Redis Cluster the caller sends one call per hash tag (one
-- slot) and no feed, on a single Redis one call for every user of the request and the feed.
--
-- KEYS[5u-4…5u] user u's keys, in the order of its ARGV section:
--          stream          the user's actions (history), or its pending actions (unverified, apart)
--          identified      string `1`: the id is a known user
--          seenNow         set of event-id numbers seen in the current dedupe bucket
--          seenBefore      the same for the previous bucket
--          conversations   set of the user's linked conversation ids (read only)
-- KEYS[last] feed          the product's feed stream, only when ARGV[5] is not ''
--
-- ARGV[1]  maxLength       most entries kept in a user's stream (approximate MAXLEN)
-- ARGV[2]  oldestId        entries older than this stream id are trimmed (approximate MINID)
-- ARGV[3]  markerTtl       the identified marker's expiry in seconds
-- ARGV[4]  seenTtl         the dedupe buckets' expiry in seconds
-- ARGV[5]  feedMaxLength   the feed's approximate MAXLEN, or '' for no feed (and no feed key)
-- ARGV[6]  feedOldestId    feed entries older than this id are trimmed (approximate MINID)
-- ARGV[7]  feedTtl         the feed's expiry in seconds
-- ARGV[8]  oldestAt        now − ACTIVITY_RETENTION_S as an ISO 8601 UTC time (`toISOString`)
-- ARGV[9…] one section per user, in KEYS order:
--          retention       the stream's expiry in seconds; only ever raised, so an anonymous-looking
--                          request never shortens an identified user's stream
--          notBefore       now − retention as an ISO 8601 UTC time: the oldest event time stored
--          markIdentified  `1` to set the identified marker
--          isHistory       `1` for history appends: the conversations are answered and the stored
--                          actions fed; `0` for pending ones (neither)
--          userId          the user's id, as the feed's `u` field
--          count           how many actions follow, each as: its event-id number ("" for none), its
--                          field count n, then n stream fields (name, value, name, value, …)
--
-- Retention goes by event time (field `a`): an action older than notBefore (than oldestAt when the
-- stream is already kept longer than this section's retention: an identified user's stream sent an
-- anonymous-looking request) is left out like a duplicate, counted apart (`expired`). At the cap
-- (maxLength entries), an action older than the user's oldest entry is left out too: trimming would
-- take that entry first, so a late old event never evicts a newer one. MINID still trims by arrival,
-- which bounds memory; readers apply both bounds.
--
-- RETURNS  users           JSON array, one entry per user section:
--                          {ids, kept, isNew, conversations, expired}: the ids appended (in order,
--                          duplicates left out), which actions they are (0-based positions in the
--                          section), whether the stream did not exist before and got an entry now,
--                          the members of the user's conversations set (history appends only), and
--                          how many actions were left out as older than the retention
local maxLength, oldestId, markerTtl, seenTtl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local feedMaxLength = ARGV[5]

-- Which of the section's event ids are already stored: in the previous bucket, in the current one,
-- or earlier in the same section. Every id not yet seen is added to the current bucket.
local function duplicatesOf(eventIds, seenNow, seenBefore)
  local duplicate = {}
  if #eventIds == 0 then return duplicate end
  -- One id (a backend's batch of many users, one event each): two calls instead of three.
  if #eventIds == 1 then
    local eventId = eventIds[1]
    if redis.call('SISMEMBER', seenBefore, eventId) == 1 or redis.call('SADD', seenNow, eventId) == 0 then
      duplicate[1] = true
    end
    redis.call('EXPIRE', seenNow, seenTtl)
    return duplicate
  end
  local before = redis.call('SMISMEMBER', seenBefore, unpack(eventIds))
  local now = redis.call('SMISMEMBER', seenNow, unpack(eventIds))
  local fresh, inSection = {}, {}
  for position, eventId in ipairs(eventIds) do
    if before[position] == 1 or now[position] == 1 or inSection[eventId] then
      duplicate[position] = true
    else
      inSection[eventId] = true
      fresh[#fresh + 1] = eventId
    end
  end
  if #fresh > 0 then redis.call('SADD', seenNow, unpack(fresh)) end
  redis.call('EXPIRE', seenNow, seenTtl)
  return duplicate
end

-- The value of field `name` among `fields[first..last]` (name, value, …), or nil.
local function fieldOf(fields, first, last, name)
  for position = first, last - 1, 2 do
    if fields[position] == name then return fields[position + 1] end
  end
  return nil
end

local results = {}
local fed = {}
local oldestAt = ARGV[8]
local at = 9
local user = 0
while at <= #ARGV do
  local base = user * 5
  local stream, identified, seenNow, seenBefore, conversationsKey =
    KEYS[base + 1], KEYS[base + 2], KEYS[base + 3], KEYS[base + 4], KEYS[base + 5]
  local retention, notBefore, markIdentified, isHistory, userId, count =
    tonumber(ARGV[at]), ARGV[at + 1], ARGV[at + 2], ARGV[at + 3] == '1', ARGV[at + 4], tonumber(ARGV[at + 5])
  at = at + 6
  if markIdentified == '1' then redis.call('SET', identified, '1', 'EX', markerTtl) end
  -- -2: no such key, so the stream is new; otherwise its expiry, raised below when shorter.
  local ttl = redis.call('TTL', stream)
  if ttl > retention then notBefore = oldestAt end

  -- Where each action's fields start, its event time, whether it is past the retention (its event
  -- id is not remembered then), and the event ids to check (with the action each belongs to).
  local starts, counts, eventAts, isExpired, expired = {}, {}, {}, {}, 0
  local eventIds, idOwner = {}, {}
  for index = 1, count do
    local eventId = ARGV[at]
    starts[index], counts[index] = at + 2, tonumber(ARGV[at + 1])
    eventAts[index] = fieldOf(ARGV, at + 2, at + 1 + counts[index], 'a')
    -- ISO 8601 UTC times of one format compare as strings.
    if eventAts[index] ~= nil and eventAts[index] < notBefore then
      isExpired[index] = true
      expired = expired + 1
    elseif eventId ~= '' then
      eventIds[#eventIds + 1] = eventId
      idOwner[#eventIds] = index
    end
    at = at + 2 + counts[index]
  end
  local duplicateIds = duplicatesOf(eventIds, seenNow, seenBefore)
  local isDuplicate = {}
  for position in pairs(duplicateIds) do isDuplicate[idOwner[position]] = true end

  -- Counted up with each XADD; MAXLEN ~ never trims below maxLength, so a count at the cap stays true.
  local length = redis.call('XLEN', stream)
  -- The oldest entry's event time, read once per user: a trim within the call moves the oldest on by
  -- whole stream nodes at most, and the value read stays a fair bound for this call's actions.
  local keptAt = nil
  local function olderThanKept(eventAt)
    if length < tonumber(maxLength) then return false end
    if keptAt == nil then
      local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
      keptAt = oldest and fieldOf(oldest[2], 1, #oldest[2], 'a') or false
    end
    return keptAt ~= false and eventAt ~= nil and eventAt < keptAt
  end

  local ids, kept = {}, {}
  for index = 1, count do
    local first = starts[index]
    local last = first + counts[index] - 1
    if not isExpired[index] and not isDuplicate[index] and not olderThanKept(eventAts[index]) then
      ids[#ids + 1] = redis.call('XADD', stream, 'MAXLEN', '~', maxLength, '*', unpack(ARGV, first, last))
      kept[#kept + 1] = index - 1
      length = length + 1
      if isHistory and feedMaxLength ~= '' then fed[#fed + 1] = { userId, first, counts[index] } end
    end
  end
  if #ids > 0 then
    redis.call('XTRIM', stream, 'MINID', '~', oldestId)
    if ttl < retention then redis.call('EXPIRE', stream, retention) end
  end
  local conversations = {}
  if isHistory then conversations = redis.call('SMEMBERS', conversationsKey) end
  user = user + 1
  -- cjson writes an empty Lua table as `{}`; the caller reads either as no entries.
  results[user] = {
    ids = ids, kept = kept, isNew = ttl == -2 and #ids > 0, conversations = conversations, expired = expired,
  }
end

-- The feed after every user's stream: a reader of the feed always finds the action in its user's
-- history too.
if #fed > 0 then
  local feed = KEYS[user * 5 + 1]
  for _, entry in ipairs(fed) do
    local first = entry[2]
    redis.call('XADD', feed, 'MAXLEN', '~', feedMaxLength, '*', 'u', entry[1],
      unpack(ARGV, first, first + entry[3] - 1))
  end
  redis.call('XTRIM', feed, 'MINID', '~', ARGV[6])
  redis.call('EXPIRE', feed, ARGV[7])
end
return cjson.encode(results)
