/**
 * The store's Lua scripts. Each one runs atomically inside Redis, so a write, its revision and
 * its change event are committed together or not at all (see redis-store.ts for the layout).
 *
 * Rules every write script follows:
 * - all checks first, writes only after every check passed (Redis does not roll back a
 *   script that fails half way, so nothing may fail after the first write);
 * - one `INCR` of the revision counter per write op, one stream entry `<revision>-1` per
 *   revision: the log has no holes, so a hole can only mean compaction;
 * - contract failures are error replies `<CODE> <op index> [<actual modRevision>]`, mapped to
 *   named errors by the client.
 *
 * Revisions travel through Lua as doubles; `..` formats them exactly below 1e14.
 */

/**
 * TXN: check, then apply, a list of ops.
 * KEYS: 1 revision counter, 2 key index (zset), 3 log (stream), 4 resource→last revision
 * (hash), 4+i object hash of op i.
 * ARGV: 5 per op: kind (c create | u update | d delete | k check), key, resource,
 * expected modRevision (-1: any), value.
 * Reply: 3 per write op (checks give nothing): revision, createRevision, last value (delete) or "".
 */
export const TXN_LUA = `
local n = #ARGV / 5
for i = 1, n do
  local b = (i - 1) * 5
  local kind = ARGV[b + 1]
  local expected = tonumber(ARGV[b + 4])
  local m = tonumber(redis.call('HGET', KEYS[4 + i], 'm') or '0')
  if kind == 'c' then
    if m ~= 0 then return redis.error_reply('EXISTS ' .. i) end
  elseif kind == 'k' then
    if m ~= expected then return redis.error_reply('CONFLICT ' .. i .. ' ' .. m) end
  else
    if m == 0 then return redis.error_reply('NOTFOUND ' .. i) end
    if expected >= 0 and m ~= expected then return redis.error_reply('CONFLICT ' .. i .. ' ' .. m) end
  end
end
local out = {}
for i = 1, n do
  local b = (i - 1) * 5
  local kind = ARGV[b + 1]
  if kind ~= 'k' then
    local key = ARGV[b + 2]
    local res = ARGV[b + 3]
    local obj = KEYS[4 + i]
    local rev = redis.call('INCR', KEYS[1])
    local prev = redis.call('HGET', KEYS[4], res) or '0'
    redis.call('HSET', KEYS[4], res, rev)
    local value, crev, t, last
    if kind == 'c' then
      value = ARGV[b + 5]; crev = rev; t = 'ADDED'; last = ''
      redis.call('HSET', obj, 'v', value, 'm', rev, 'c', rev)
      redis.call('ZADD', KEYS[2], 0, key)
    elseif kind == 'u' then
      value = ARGV[b + 5]; t = 'MODIFIED'; last = ''
      crev = tonumber(redis.call('HGET', obj, 'c'))
      redis.call('HSET', obj, 'v', value, 'm', rev)
    else
      local h = redis.call('HMGET', obj, 'v', 'c')
      value = h[1]; crev = tonumber(h[2]); t = 'DELETED'; last = value
      redis.call('DEL', obj)
      redis.call('ZREM', KEYS[2], key)
    end
    redis.call('XADD', KEYS[3], rev .. '-1', 'type', t, 'key', key, 'value', value,
      'createRevision', crev, 'prevRevision', prev)
    out[#out + 1] = rev
    out[#out + 1] = crev
    out[#out + 1] = last
  end
end
return out
`;

/**
 * LIST: a consistent page of keys under a prefix, with the revision it is consistent at.
 * KEYS: 1 revision counter, 2 key index. ARGV: prefix, startAfter ("" for none), limit (0: all),
 * object-key prefix. Reply: revision, more (0/1), then key, value, modRevision, createRevision per item.
 */
export const LIST_LUA = `
local prefix, after, limit, okp = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local rev = tonumber(redis.call('GET', KEYS[1]) or '0')
local min = '[' .. prefix
if after ~= '' and after >= prefix then min = '(' .. after end
local max = '(' .. prefix .. '\\255'
local keys
if limit > 0 then
  keys = redis.call('ZRANGEBYLEX', KEYS[2], min, max, 'LIMIT', 0, limit + 1)
else
  keys = redis.call('ZRANGEBYLEX', KEYS[2], min, max)
end
local more = 0
local n = #keys
if limit > 0 and n > limit then more = 1; n = limit end
local out = { rev, more }
for i = 1, n do
  local h = redis.call('HMGET', okp .. keys[i], 'v', 'm', 'c')
  out[#out + 1] = keys[i]
  out[#out + 1] = h[1]
  out[#out + 1] = tonumber(h[2])
  out[#out + 1] = tonumber(h[3])
end
return out
`;

/**
 * EVENTS: log entries after a revision whose key starts with a prefix.
 * KEYS: 1 compact revision, 2 log, 3 revision counter. ARGV: prefix, fromRevision (exclusive),
 * limit (matching events), maxScan (log entries read at most).
 * Error `COMPACTED <compactRevision>` when fromRevision < compactRevision. Reply: current
 * revision, last scanned revision, then revision, type, key, value, createRevision, prevRevision
 * per matching event. The compaction check and the read are one atomic step, and the log has no
 * holes above the compact revision, so a reader that continues from "last scanned" misses nothing.
 */
export const EVENTS_LUA = `
local prefix, from, limit, maxScan = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local compacted = tonumber(redis.call('GET', KEYS[1]) or '0')
if from < compacted then return redis.error_reply('COMPACTED ' .. compacted) end
local head = tonumber(redis.call('GET', KEYS[3]) or '0')
local out = { head, from }
local scanned, found, plen = from, 0, #prefix
while scanned < head and found < limit and scanned - from < maxScan do
  local batch = math.min(maxScan - (scanned - from), 512)
  local entries = redis.call('XRANGE', KEYS[2], '(' .. scanned .. '-1', '+', 'COUNT', batch)
  if #entries == 0 then break end
  for _, e in ipairs(entries) do
    local rev = tonumber(string.match(e[1], '^(%d+)'))
    scanned = rev
    local f = e[2]
    -- fields are written in a fixed order: type, key, value, createRevision, prevRevision
    if string.sub(f[4], 1, plen) == prefix then
      out[#out + 1] = rev
      out[#out + 1] = f[2]
      out[#out + 1] = f[4]
      out[#out + 1] = f[6]
      out[#out + 1] = tonumber(f[8])
      out[#out + 1] = tonumber(f[10])
      found = found + 1
      if found >= limit then break end
    end
  end
end
out[2] = scanned
return out
`;

/**
 * COMPACT: drop log entries at or below a revision and record it as the compact revision.
 * KEYS: 1 compact revision, 2 log, 3 revision counter. ARGV: revision.
 * Error `FUTURE <current>` above the current revision; a revision at or below the current
 * compact revision is a no-op. Reply: the compact revision after the call.
 */
export const COMPACT_LUA = `
local rev = tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[3]) or '0')
if rev > cur then return redis.error_reply('FUTURE ' .. cur) end
local compacted = tonumber(redis.call('GET', KEYS[1]) or '0')
if rev <= compacted then return compacted end
redis.call('SET', KEYS[1], rev)
redis.call('XTRIM', KEYS[2], 'MINID', (rev + 1) .. '-0')
return rev
`;

/** LEASE_ACQUIRE: KEYS: lease. ARGV: holder, ttlMs. 1 when the caller holds the lease afterwards. */
export const LEASE_ACQUIRE_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** LEASE_RELEASE: KEYS: lease. ARGV: holder. Deletes the lease only if the caller holds it. */
export const LEASE_RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;
