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
 * Values live in the log (kine-style): an object hash holds m (modRevision) and c
 * (createRevision); its value is the `value` field of log entry `<m>-1`. Compaction copies the
 * value of each live object whose entry it trims into the hash as field v, and an update drops v
 * again. So each write puts its value on disk once (half the AOF bytes, and memory, of keeping
 * it in both places); `VALUE_OF` is the one lookup.
 *
 * Scripts touch object hashes they compute from a key prefix (not declared in KEYS): fine on a
 * single Redis, not on Redis Cluster. Revisions travel through Lua as doubles; `..` formats them
 * exactly below 1e14.
 */

/** Lua: value of an object hash `obj` at modRevision `m` ('v' if materialized, else from the log `log`). */
const VALUE_OF = `
local function value_of(obj, log, m, v)
  if v then return v end
  local e = redis.call('XRANGE', log, m .. '-1', m .. '-1')
  if not e[1] then return redis.error_reply('CORRUPT ' .. m .. ' value missing for ' .. obj) end
  return e[1][2][6]
end
`;

/**
 * TXN: check, then apply, a list of ops.
 * KEYS: 1 revision counter, 2 key index (zset), 3 log (stream), 4 resource→last revision
 * (hash), 4+i object hash of op i.
 * ARGV: 5 per op: kind (c create | u update | d delete | k check), key, resource,
 * expected modRevision (-1: any), value.
 * Reply: 3 per write op (checks give nothing): revision, createRevision, last value (delete) or "".
 */
export const TXN_LUA = `${VALUE_OF}
local n = #ARGV / 5
local last = {}
for i = 1, n do
  local b = (i - 1) * 5
  local kind = ARGV[b + 1]
  local expected = tonumber(ARGV[b + 4])
  local h = redis.call('HMGET', KEYS[4 + i], 'm', 'v')
  local m = tonumber(h[1] or '0')
  if kind == 'c' then
    if m ~= 0 then return redis.error_reply('EXISTS ' .. i) end
  elseif kind == 'k' then
    if m ~= expected then return redis.error_reply('CONFLICT ' .. i .. ' ' .. m) end
  else
    if m == 0 then return redis.error_reply('NOTFOUND ' .. i) end
    if expected >= 0 and m ~= expected then return redis.error_reply('CONFLICT ' .. i .. ' ' .. m) end
    if kind == 'd' then
      last[i] = value_of(KEYS[4 + i], KEYS[3], m, h[2])
      if type(last[i]) == 'table' then return last[i] end
    end
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
    local value, crev, t
    if kind == 'c' then
      value = ARGV[b + 5]; crev = rev; t = 'ADDED'
      redis.call('HSET', obj, 'm', rev, 'c', rev)
      redis.call('ZADD', KEYS[2], 0, key)
    elseif kind == 'u' then
      value = ARGV[b + 5]; t = 'MODIFIED'
      crev = tonumber(redis.call('HGET', obj, 'c'))
      redis.call('HSET', obj, 'm', rev)
      redis.call('HDEL', obj, 'v')
    else
      value = last[i]; t = 'DELETED'
      crev = tonumber(redis.call('HGET', obj, 'c'))
      redis.call('DEL', obj)
      redis.call('ZREM', KEYS[2], key)
    end
    redis.call('XADD', KEYS[3], rev .. '-1', 'type', t, 'key', key, 'value', value,
      'createRevision', crev, 'prevRevision', prev)
    out[#out + 1] = rev
    out[#out + 1] = crev
    out[#out + 1] = last[i] or ''
  end
end
return out
`;

/**
 * GET: one object. KEYS: 1 object hash, 2 log. Reply: value, modRevision, createRevision; or nil.
 */
export const GET_LUA = `${VALUE_OF}
local h = redis.call('HMGET', KEYS[1], 'm', 'c', 'v')
if not h[1] then return nil end
local v = value_of(KEYS[1], KEYS[2], h[1], h[3])
if type(v) == 'table' then return v end
return { v, tonumber(h[1]), tonumber(h[2]) }
`;

/**
 * LIST: a consistent page of keys under a prefix, with the revision it is consistent at.
 * KEYS: 1 revision counter, 2 key index, 3 log. ARGV: prefix, startAfter ("" for none),
 * limit (0: all), object-key prefix. Reply: revision, more (0/1), then key, value, modRevision, createRevision per item.
 */
export const LIST_LUA = `${VALUE_OF}
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
  local obj = okp .. keys[i]
  local h = redis.call('HMGET', obj, 'm', 'c', 'v')
  local v = value_of(obj, KEYS[3], h[1], h[3])
  if type(v) == 'table' then return v end
  out[#out + 1] = keys[i]
  out[#out + 1] = v
  out[#out + 1] = tonumber(h[1])
  out[#out + 1] = tonumber(h[2])
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
 * Before trimming, each trimmed ADDED/MODIFIED entry that is still its object's current version
 * has its value copied into the object hash (field v), so current objects keep their values.
 * KEYS: 1 compact revision, 2 log, 3 revision counter. ARGV: revision, object-key prefix.
 * Error `FUTURE <current>` above the current revision; a revision at or below the current
 * compact revision is a no-op. Reply: the compact revision after the call. The client compacts
 * in steps so that one call never holds Redis for long.
 */
export const COMPACT_LUA = `
local rev, okp = tonumber(ARGV[1]), ARGV[2]
local cur = tonumber(redis.call('GET', KEYS[3]) or '0')
if rev > cur then return redis.error_reply('FUTURE ' .. cur) end
local compacted = tonumber(redis.call('GET', KEYS[1]) or '0')
if rev <= compacted then return compacted end
local from = compacted
while from < rev do
  local entries = redis.call('XRANGE', KEYS[2], '(' .. from .. '-1', rev .. '-1', 'COUNT', 1000)
  if #entries == 0 then break end
  for _, e in ipairs(entries) do
    from = tonumber(string.match(e[1], '^(%d+)'))
    local f = e[2]
    if f[2] ~= 'DELETED' then
      local obj = okp .. f[4]
      if tonumber(redis.call('HGET', obj, 'm')) == from then redis.call('HSET', obj, 'v', f[6]) end
    end
  end
end
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
