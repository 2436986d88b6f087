/**
 * The store's Lua scripts. Each one runs atomically inside Redis, so a write, its revision and
 * its change event are committed together or not at all (see redis-store.ts for the layout).
 *
 * Rules every write script follows:
 * - all checks first, writes only after every check passed (Redis does not roll back a
 *   script that fails half way, so nothing may fail after the first write);
 * - one revision per write op, one stream entry `<revision>-1` per revision: the log has no
 *   holes, so a hole can only mean compaction;
 * - contract failures are per-transaction replies `<CODE> <op index> [<actual modRevision>]`,
 *   mapped to named errors by the client.
 *
 * Values live in the log (kine-style): the hash `mod` maps each live key to its modRevision
 * and `crt` to its createRevision; its value is the `value` field of log entry `<mod>-1`.
 * Compaction copies the value of each live object whose entry it trims into the hash `val`,
 * and the next write of that key drops it again. So each write puts its value on disk once
 * (half the AOF bytes, and memory, of keeping it in both places); `VALUE_OF` is the one lookup.
 * One hash per field (not one hash per object) lets a batch read and write the state of all
 * its keys with one command each.
 *
 * Revisions travel through Lua as doubles; `..` formats them exactly below 1e14.
 */

/**
 * Lua: value of `key` at modRevision `m`: `v` if given, else from the hash `valKey` if
 * materialized (valKey nil: already looked up), else from the log `log`.
 */
const VALUE_OF = `
local function value_of(valKey, log, key, m, v)
  if v then return v end
  if valKey then
    v = redis.call('HGET', valKey, key)
    if v then return v end
  end
  local e = redis.call('XRANGE', log, m .. '-1', m .. '-1')
  if not e[1] then return redis.error_reply('CORRUPT ' .. m .. ' value missing for ' .. key) end
  return e[1][2][6]
end
`;

/** Lua: `call_chunked(cmd, key, list, first)`: one command per 1000 list items (Lua's unpack limit). */
const CALL_CHUNKED = `
local function call_chunked(cmd, key, list, step)
  local out = {}
  for j = 1, #list, step do
    local part = redis.call(cmd, key, unpack(list, j, math.min(j + step - 1, #list)))
    if type(part) == 'table' then
      for _, x in ipairs(part) do out[#out + 1] = x end
    end
  end
  return out
end
`;

/**
 * BATCH: a batch of independent transactions (group commit). Each transaction is checked
 * against the state left by the ones before it in the batch and applied only if all its
 * checks pass; a failing one does not affect the others. Revisions are assigned in batch order.
 *
 * KEYS: 1 revision counter, 2 key index (zset), 3 log (stream), 4 resource→last revision
 * (hash), 5 mod, 6 crt, 7 val (hashes, see above).
 * ARGV: 1 the packed transactions: per transaction a uint16 op count, then per op: uint8 kind
 * ('c' create | 'u' update | 'd' delete | 'k' check), int64 expected modRevision (-1: any),
 * uint16 key length + key, uint32 value length + value (all big-endian).
 * Reply, flat, per transaction: on success its first revision, then per update op its
 * createRevision, per delete op its createRevision and last value; on failure one string
 * `<CODE> <op index> [<actual modRevision>]` (CODE: EXISTS, NOTFOUND, CONFLICT, CORRUPT).
 *
 * Two phases. Phase 1 only reads: the counter once, modRevisions and createRevisions of all
 * the batch's keys with one HMGET each, each resource's last revision once, and decides every
 * transaction against an in-script overlay of the batch's earlier writes. Phase 2 writes:
 * INCRBY by the number of writes first (an error before it leaves nothing behind), one XADD
 * per write, then the final state of the touched keys with one command per hash.
 */
export const BATCH_LUA = `${VALUE_OF}${CALL_CHUNKED}
local revKey, idxKey, logKey, resKey, modKey, crtKey, valKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local data = ARGV[1]
local sunpack, match, call = struct.unpack, string.match, redis.call
local C, U, D, K = 99, 117, 100, 107
-- the ops, 4 slots each: kind, expected, key, value; txns: op count per transaction
local q, nq, txns = {}, 0, {}
local pos, len = 1, #data
while pos <= len do
  local n
  n, pos = sunpack('>H', data, pos)
  txns[#txns + 1] = n
  for _ = 1, n do
    q[nq + 1], q[nq + 2], q[nq + 3], q[nq + 4], pos = sunpack('>Bi8Hc0I4c0', data, pos)
    nq = nq + 4
  end
end
-- objs[key] = { mod, crt, value or false, existed before the batch, touched, created in the batch }
local objs, keys = {}, {}
for j = 3, nq, 4 do
  local key = q[j]
  if not objs[key] then
    objs[key] = true
    keys[#keys + 1] = key
  end
end
local mods = call_chunked('HMGET', modKey, keys, 1000)
local live = {}
for i, key in ipairs(keys) do
  local m = tonumber(mods[i] or '0')
  objs[key] = { m, 0, false, m ~= 0, false }
  if m ~= 0 then live[#live + 1] = key end
end
if #live > 0 then
  local crts = call_chunked('HMGET', crtKey, live, 1000)
  for i, key in ipairs(live) do objs[key][2] = tonumber(crts[i]) end
end
local base = tonumber(call('GET', revKey) or '0')
local rev = base
local resrev, resList = {}, {}
-- planned log entries, 6 slots each: revision, type, key, value, createRevision, prevRevision
local wl, nw = {}, 0
local touched = {}
local out, no = {}, 0
local b0 = 0
for _, n in ipairs(txns) do
  local err
  for i = 1, n do
    local b = b0 + (i - 1) * 4
    local kind, expected, key = q[b + 1], q[b + 2], q[b + 3]
    local o = objs[key]
    local m = o[1]
    if kind == C then
      if m ~= 0 then err = 'EXISTS ' .. i end
    elseif kind == K then
      if m ~= expected then err = 'CONFLICT ' .. i .. ' ' .. m end
    elseif m == 0 then
      err = 'NOTFOUND ' .. i
    elseif expected >= 0 and m ~= expected then
      err = 'CONFLICT ' .. i .. ' ' .. m
    elseif kind == D and not o[3] then
      local v = value_of(valKey, logKey, key, m, false)
      if type(v) == 'table' then err = v.err else o[3] = v end
    end
    if err then break end
  end
  no = no + 1
  if err then
    out[no] = err
  else
    out[no] = rev + 1
    for i = 1, n do
      local b = b0 + (i - 1) * 4
      local kind, key = q[b + 1], q[b + 3]
      if kind ~= K then
        rev = rev + 1
        local o = objs[key]
        local res = match(key, '^/?([^/]*)')
        local prev = resrev[res]
        if not prev then
          prev = tonumber(call('HGET', resKey, res) or '0')
          resList[#resList + 1] = res
        end
        resrev[res] = rev
        local t, value, crev
        if kind == C then
          t, value, crev = 'ADDED', q[b + 4], rev
          o[1], o[2], o[3], o[6] = rev, rev, value, true
        elseif kind == U then
          t, value, crev = 'MODIFIED', q[b + 4], o[2]
          o[1], o[3] = rev, value
          no = no + 1; out[no] = crev
        else
          t, value, crev = 'DELETED', o[3], o[2]
          o[1], o[2], o[3] = 0, 0, false
          no = no + 1; out[no] = crev
          no = no + 1; out[no] = value
        end
        if not o[5] then
          o[5] = true
          touched[#touched + 1] = key
        end
        wl[nw + 1], wl[nw + 2], wl[nw + 3], wl[nw + 4], wl[nw + 5], wl[nw + 6] = rev, t, key, value, crev, prev
        nw = nw + 6
      end
    end
  end
  b0 = b0 + n * 4
end
if rev == base then return out end
call('INCRBY', revKey, rev - base)
for j = 1, nw, 6 do
  call('XADD', logKey, wl[j] .. '-1', 'type', wl[j + 1], 'key', wl[j + 2], 'value', wl[j + 3],
    'createRevision', wl[j + 4], 'prevRevision', wl[j + 5])
end
local setMod, setCrt, gone, added, old = {}, {}, {}, {}, {}
for _, key in ipairs(touched) do
  local o = objs[key]
  if o[4] then old[#old + 1] = key end
  if o[1] == 0 then
    if o[4] then gone[#gone + 1] = key end
  else
    setMod[#setMod + 1] = key
    setMod[#setMod + 1] = o[1]
    if not o[4] then added[#added + 1] = 0; added[#added + 1] = key end
    if o[6] then setCrt[#setCrt + 1] = key; setCrt[#setCrt + 1] = o[2] end
  end
end
-- materialized values of keys written in this batch are stale now
if #old > 0 then call_chunked('HDEL', valKey, old, 1000) end
if #gone > 0 then
  call_chunked('HDEL', modKey, gone, 1000)
  call_chunked('HDEL', crtKey, gone, 1000)
  call_chunked('ZREM', idxKey, gone, 1000)
end
if #setMod > 0 then call_chunked('HSET', modKey, setMod, 1000) end
if #setCrt > 0 then call_chunked('HSET', crtKey, setCrt, 1000) end
if #added > 0 then call_chunked('ZADD', idxKey, added, 1000) end
local hs = {}
for _, res in ipairs(resList) do
  hs[#hs + 1] = res
  hs[#hs + 1] = resrev[res]
end
call_chunked('HSET', resKey, hs, 1000)
return out
`;

/**
 * GET: one object. KEYS: 1 mod, 2 crt, 3 val, 4 log. ARGV: key.
 * Reply: value, modRevision, createRevision; or nil.
 */
export const GET_LUA = `${VALUE_OF}
local m = redis.call('HGET', KEYS[1], ARGV[1])
if not m then return nil end
local v = value_of(KEYS[3], KEYS[4], ARGV[1], m, false)
if type(v) == 'table' then return v end
return { v, tonumber(m), tonumber(redis.call('HGET', KEYS[2], ARGV[1])) }
`;

/**
 * GET_MANY: several objects read at one instant. KEYS: 1 mod, 2 crt, 3 val, 4 log. ARGV: keys.
 * Reply: value, modRevision, createRevision per key, in key order (three nils for a missing key).
 */
export const GET_MANY_LUA = `${VALUE_OF}
local out = {}
for _, key in ipairs(ARGV) do
  local m = redis.call('HGET', KEYS[1], key)
  if m then
    local v = value_of(KEYS[3], KEYS[4], key, m, false)
    if type(v) == 'table' then return v end
    out[#out + 1] = v
    out[#out + 1] = tonumber(m)
    out[#out + 1] = tonumber(redis.call('HGET', KEYS[2], key))
  else
    out[#out + 1] = false
    out[#out + 1] = false
    out[#out + 1] = false
  end
end
return out
`;

/**
 * LIST: a consistent page of keys under a prefix, with the revision it is consistent at.
 * KEYS: 1 revision counter, 2 key index, 3 log, 4 mod, 5 crt, 6 val. ARGV: prefix, startAfter
 * ("" for none), limit (0: all). Reply: revision, more (0/1), then key, value, modRevision,
 * createRevision per item.
 */
export const LIST_LUA = `${VALUE_OF}${CALL_CHUNKED}
local prefix, after, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
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
if limit > 0 and n > limit then
  more = 1
  n = limit
  keys[limit + 1] = nil
end
local out = { rev, more }
if n == 0 then return out end
local mods = call_chunked('HMGET', KEYS[4], keys, 1000)
local crts = call_chunked('HMGET', KEYS[5], keys, 1000)
local vals = call_chunked('HMGET', KEYS[6], keys, 1000)
for i = 1, n do
  local v = value_of(nil, KEYS[3], keys[i], mods[i], vals[i])
  if type(v) == 'table' then return v end
  out[#out + 1] = keys[i]
  out[#out + 1] = v
  out[#out + 1] = tonumber(mods[i])
  out[#out + 1] = tonumber(crts[i])
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
 * has its value copied into the hash `val`, so current objects keep their values.
 * KEYS: 1 compact revision, 2 log, 3 revision counter, 4 mod, 5 val. ARGV: revision.
 * Error `FUTURE <current>` above the current revision; a revision at or below the current
 * compact revision is a no-op. Reply: the compact revision after the call. The client compacts
 * in steps so that one call never holds Redis for long.
 */
export const COMPACT_LUA = `
local rev = tonumber(ARGV[1])
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
    if f[2] ~= 'DELETED' and tonumber(redis.call('HGET', KEYS[4], f[4])) == from then
      redis.call('HSET', KEYS[5], f[4], f[6])
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
