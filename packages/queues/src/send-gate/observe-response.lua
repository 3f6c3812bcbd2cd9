-- Records an answer's X-RateLimit-* headers and sets the coalescing factor they imply: 1 below the
-- pressure threshold of the budget used, rising linearly to the maximum at the budget fraction.
-- KEYS[1] observed: hash of the latest answer's limit, remaining and resetAt (kept 60 s)
-- KEYS[2] pressure: the coalescing factor
-- KEYS[3] calls: counter of the calls made in the current window
-- ARGV[1] limit: X-RateLimit-Limit
-- ARGV[2] remaining: X-RateLimit-Remaining
-- ARGV[3] resetAtMs: X-RateLimit-Reset, epoch ms
-- ARGV[4] budgetFraction: the share of the limit calls may use
-- ARGV[5] maxFactor: the widest coalescing factor
-- ARGV[6] pressureTtlMs: how long the factor holds without a newer answer
-- ARGV[7] pressureThreshold: the share of the limit used at which coalescing starts to widen
-- RETURNS factor: the coalescing factor (a decimal string)
local limit = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'limit', ARGV[1], 'remaining', ARGV[2], 'resetAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], 60000)
local calls = tonumber(redis.call('GET', KEYS[3])) or 0
local used = math.max(1 - remaining / limit, calls / limit)
local fraction = tonumber(ARGV[4])
local threshold = tonumber(ARGV[7])
local share = (used - threshold) / (fraction - threshold)
if share < 0 then share = 0 end
if share > 1 then share = 1 end
local factor = 1 + (tonumber(ARGV[5]) - 1) * share
redis.call('SET', KEYS[2], tostring(factor), 'PX', tonumber(ARGV[6]))
return { 'factor', tostring(factor) }
