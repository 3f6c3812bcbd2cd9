-- Admits one Intercom call against the workspace's budget, or says how long to wait.
-- KEYS[1] calls: counter of the calls made in the current window
-- KEYS[2] observed: hash of the latest answer's limit, remaining and resetAt
-- KEYS[3] limitedUntil: epoch ms until which a 429 stops every call
-- KEYS[4] paused: set while the workspace is paused (401/403)
-- ARGV[1] now: epoch ms
-- ARGV[2] windowMs: the length of Intercom's rate-limit window
-- ARGV[3] defaultLimit: calls per window assumed until an answer reports the limit
-- ARGV[4] budgetFraction: the share of the limit calls may use
-- RETURNS verdict: 'go', 'wait' or 'paused'
-- RETURNS waitMs: how long to wait ('wait' only; 0 otherwise)
if redis.call('EXISTS', KEYS[4]) == 1 then return { 'verdict', 'paused', 'waitMs', 0 } end
local now = tonumber(ARGV[1])
local limitedUntil = tonumber(redis.call('GET', KEYS[3]))
if limitedUntil and limitedUntil > now then return { 'verdict', 'wait', 'waitMs', limitedUntil - now } end
local observed = redis.call('HMGET', KEYS[2], 'limit', 'remaining', 'resetAt')
local limit = tonumber(observed[1]) or tonumber(ARGV[3])
local remaining = tonumber(observed[2])
local resetAt = tonumber(observed[3])
local fraction = tonumber(ARGV[4])
if remaining and resetAt and resetAt > now and remaining <= limit * (1 - fraction) then
  return { 'verdict', 'wait', 'waitMs', resetAt - now }
end
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2])) end
if used > math.floor(limit * fraction) then
  local windowMs = tonumber(ARGV[2])
  return { 'verdict', 'wait', 'waitMs', (math.floor(now / windowMs) + 1) * windowMs - now }
end
return { 'verdict', 'go', 'waitMs', 0 }
