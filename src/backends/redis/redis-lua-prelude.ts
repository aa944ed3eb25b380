/**
 * Lua shared by every session script (prepended to each; Redis scripts cannot import).
 *
 * KEYS[1] is the session state hash `<prefix>{<id>}:state`; every other key of the session is derived from it
 * (same hash tag, so the same Cluster slot). State fields:
 *   v        monotonic version (fencing token)     ttl      sliding TTL, seconds
 *   created  ISO time                              updated  ISO time            filename (optional)
 *   cur      current frame entry (JSON)            hist     history, oldest first (JSON list)
 *   redo     redo stack, last = next redo (JSON)   seq      last audit seq      initrows rows at upload
 *   fk       "<fid>:<chunks>,…" every blob referenced (lets a commit drop blobs without decoding JSON)
 *   lay      '2': blobs are fields of the hash <prefix>{<id>}:frames (absent: one key per blob, see upgrade_layout)
 * A frame entry: { f = frame id, n = chunks, r = rows, c = columns, b = stored bytes, v, op, label, at }.
 *
 * The redlock key `<prefix>{<id>}:lock` shares the hash tag but has its own short TTL.
 *
 * Failures are raised as `FSERR <CODE> <detail>` before anything is written: scripts are atomic but do not
 * roll back, so every check comes first.
 */
/**
 * Frames up to this size travel inside the script call (one round trip). Larger ones are written with plain
 * SETs first and the script only commits them, and are read with GET after the script: Lua copies big strings
 * in and out, which costs more than the extra round trip (measured about 2x slower at 2.4 MB).
 */
export const INLINE_FRAME_BYTES = 128 * 1024;

export const LUA_COMMON = `
local INLINE_MAX = ${INLINE_FRAME_BYTES}

local function fail(code, detail)
  error({ err = 'FSERR ' .. code .. ' ' .. (detail or '') })
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function chunk_keys(stem, n)
  n = tonumber(n)
  if n <= 1 then return { stem } end
  local keys = {}
  for i = 0, n - 1 do keys[#keys + 1] = stem .. ':' .. i end
  return keys
end
`;

/** Session basics for every session script: fencing, lock check, TTL sliding, audit append. */
export const LUA_SESSION_CORE = `
local SK = KEYS[1]
local B = string.sub(SK, 1, -6)
-- Every blob of the session (whole frames, column chunks, parts) is a field of this one hash.
local FH = B .. 'frames'

local function frame_fields(f, n) return chunk_keys(f, n) end

-- Every blob field named by fk, in one flat list (no table per blob: fk names hundreds of column chunks).
local function all_frame_fields(fk)
  local fields, c = {}, 0
  for f, n in string.gmatch(fk, '([^:,]+):(%d+)') do
    if n == '1' then
      c = c + 1
      fields[c] = f
    else
      for i = 0, tonumber(n) - 1 do
        c = c + 1
        fields[c] = f .. ':' .. i
      end
    end
  end
  return fields
end

local function hdel_all(fields)
  for j = 1, #fields, 1000 do redis.call('HDEL', FH, unpack(fields, j, math.min(j + 999, #fields))) end
end

-- Sessions written before the frames hash (state field lay ~= '2') kept each blob in a string key
-- 'frame:<field>' and their list in the set 'blobs'. The first script to touch one moves its blobs into the
-- hash, checking first that none is missing (a partial session stays CORRUPT_DATA and is not changed).
local function legacy_key(f) return B .. 'frame:' .. f end

-- The blob keys of that layout go, present or not (a session replaced or deleted whole).
local function drop_legacy(fk)
  for _, f in ipairs(all_frame_fields(fk)) do redis.call('UNLINK', legacy_key(f)) end
  redis.call('UNLINK', B .. 'blobs')
end

local function upgrade_layout(lay, fk)
  if lay == '2' then return end
  local fields = all_frame_fields(fk or '')
  for _, f in ipairs(fields) do
    if redis.call('EXISTS', legacy_key(f)) == 0 then fail('CORRUPT_DATA', 'partial') end
  end
  for _, f in ipairs(fields) do
    redis.call('HSET', FH, f, redis.call('GET', legacy_key(f)))
    redis.call('UNLINK', legacy_key(f))
  end
  local at = redis.pcall('PEXPIRETIME', SK)
  if type(at) ~= 'number' then at = now_ms() + math.max(redis.call('PTTL', SK), 0) end
  if #fields > 0 and at > 0 then redis.call('PEXPIREAT', FH, at) end
  redis.call('UNLINK', B .. 'blobs')
  redis.call('HDEL', SK, 'brev')
  redis.call('HSET', SK, 'lay', '2')
end

-- v, ttl, seq and fk only: enough to fence and to slide TTLs.
local function light_state()
  local raw = redis.call('HMGET', SK, 'v', 'ttl', 'seq', 'fk', 'rev', 'lay')
  if not raw[1] then fail('SESSION_NOT_FOUND') end
  return { v = tonumber(raw[1]), ttl = tonumber(raw[2]), seq = tonumber(raw[3] or '0'), fk = raw[4] or '',
    rev = raw[5], lay = raw[6] }
end

-- g = '<required version>/<lock token>', either part may be empty. A session locked by someone else makes
-- the write wait (LOCKED; Node retries); a version other than the required one is STALE_WRITE (fencing).
local function guard(st, g)
  local slash = string.find(g, '/', 1, true)
  local holder = redis.call('GET', B .. 'lock')
  if holder and holder ~= string.sub(g, slash + 1) then fail('LOCKED') end
  local required = string.sub(g, 1, slash - 1)
  if required ~= '' and tonumber(required) ~= st.v then fail('STALE_WRITE', tostring(st.v)) end
end

-- Every key of the session expires at the same absolute instant. PEXPIREAT answers 0 for a missing key:
-- that is how a partially evicted session is noticed (CORRUPT_DATA, never served half). Blobs are fields of
-- one hash, evicted together, so this is a fixed handful of commands whatever the session holds.
local function pin_all(st, at, check)
  redis.call('PEXPIREAT', SK, at)
  local whole = redis.call('PEXPIREAT', B .. 'audit', at) == 1 or st.seq == 0
  redis.call('PEXPIREAT', B .. 'marks', at)
  redis.call('PEXPIREAT', B .. 'meta', at)
  redis.call('PEXPIREAT', B .. 'schema', at)
  redis.call('PEXPIREAT', B .. 'ops', at)
  redis.call('PEXPIREAT', B .. 'opq', at)
  if redis.call('PEXPIREAT', FH, at) == 0 and st.fk ~= '' then whole = false end
  if check and not whole then fail('CORRUPT_DATA', 'partial') end
  return at
end

-- A session touched many times in a row slides at most once per step (20 ms; less for TTLs under 2 s):
-- every key still shares one expiry, at most one step early. Between slides one EXISTS over the required
-- keys keeps the partial-eviction guarantee.
local function refresh(st)
  local now = now_ms()
  local target = now + st.ttl * 1000
  -- The exact absolute expiry (Redis 7 PEXPIRETIME): keys created while not sliding must get the very same
  -- instant. now + PTTL can be a millisecond off; it is only the fallback for older servers.
  local current = redis.pcall('PEXPIRETIME', SK)
  if type(current) ~= 'number' then current = now + redis.call('PTTL', SK) end
  -- Only a slide forward is coalesced: an expiry that must move earlier (a shorter TTL) moves now.
  local ahead = target - current
  if current > now and ahead >= 0 and ahead < math.min(20, st.ttl * 10) then
    local need = {}
    if st.fk ~= '' then need[#need + 1] = FH end
    if st.seq > 0 then need[#need + 1] = B .. 'audit' end
    if #need > 0 and redis.call('EXISTS', unpack(need)) ~= #need then fail('CORRUPT_DATA', 'partial') end
    return current
  end
  return pin_all(st, target, true)
end

-- Exactly once: the outcome of each write is kept under its operation id (the last 64 per session), so a
-- command resent after a lost reply returns the first outcome instead of running again.
local OPS_KEPT = 64
local function remember_op(op, result)
  local ops, opq = B .. 'ops', B .. 'opq'
  if redis.call('EXISTS', SK) == 0 then
    -- The write deleted the session: only a one-minute tombstone of this outcome stays (no session data).
    redis.call('SET', B .. 'gone:' .. op, cjson.encode({ result }), 'PX', 60000)
    return
  end
  redis.call('HSET', ops, op, cjson.encode({ result }))
  redis.call('RPUSH', opq, op)
  if redis.call('LLEN', opq) > OPS_KEPT then redis.call('HDEL', ops, redis.call('LPOP', opq)) end
  local at = redis.pcall('PEXPIRETIME', SK)
  if type(at) ~= 'number' or at < 0 then at = now_ms() + math.max(redis.call('PTTL', SK), 0) end
  redis.call('PEXPIREAT', ops, at)
  redis.call('PEXPIREAT', opq, at)
end
`;
