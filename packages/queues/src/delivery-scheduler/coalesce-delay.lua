-- A trailing-edge debounce bounded by the window's maximum wait, both widened by the coalescing
-- factor. "Already waiting" means the conversation's waiting job is due within a tenth of the
-- debounce of the time this request asks for, and is still at least the margin away: it will read
-- this request's action, so nothing is added. The note then follows the last action after 90-100 %
-- of the debounce, and a steady stream of actions costs a few job replacements per window.
-- KEYS[1] window: start (epoch ms) of the conversation's coalescing window
-- KEYS[2] pressure: the coalescing factor from the latest rate-limit headers
-- KEYS[3] pressureFloor: the widest factor, set for a while by a 429
-- ARGV[1] now: epoch ms
-- ARGV[2] debounceMs: NOTE_COALESCE_MS
-- ARGV[3] maxWaitMs: NOTE_MAX_WAIT_MS
-- ARGV[4] waitingMarginMs: how far the waiting job must still be from due to be relied on
-- ARGV[5] debounceSlack: the share of the debounce a request may leave the waiting job earlier
-- ARGV[6] waitingDueInMs: how long the waiting job still has before it is due, -1 when none waits
-- RETURNS delayMs: when the delivery should run, from now
-- RETURNS factor: the coalescing factor applied (a decimal string)
-- RETURNS alreadyWaiting: 1 when the waiting job will read this request's action (add nothing)
local now = tonumber(ARGV[1])
local factor = math.max(tonumber(redis.call('GET', KEYS[2])) or 1, tonumber(redis.call('GET', KEYS[3])) or 1)
local debounce = math.ceil(tonumber(ARGV[2]) * factor)
local maxWait = math.ceil(tonumber(ARGV[3]) * factor)
local start = tonumber(redis.call('GET', KEYS[1]))
if not start then
  start = now
  if maxWait > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', maxWait) end
end
local delay = math.max(0, math.min(now + debounce, start + maxWait) - now)
local waiting = tonumber(ARGV[6])
local already = 0
if waiting >= tonumber(ARGV[4]) and math.abs(delay - waiting) <= math.floor(debounce * tonumber(ARGV[5])) then
  already = 1
end
return { 'delayMs', delay, 'factor', tostring(factor), 'alreadyWaiting', already }
