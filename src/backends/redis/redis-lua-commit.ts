/**
 * The two session scripts of the engine's Redis store: one load, one generic commit. Neither knows what an
 * update, an undo or a mark is — the engine computed the new state; these only read it and write it
 * atomically (see redis-lua-prelude.ts for the shared helpers and the key layout).
 */

/**
 * ARGV: mode ('slide' | 'peek'), the frame ids whose manifests the caller holds, the revision the caller
 * holds ('' = none; when it is still the stored one the reply is just { 'same', expiry }). nil when the
 * session does not exist. Otherwise the state fields of
 * STATE_FIELDS (redis-record.ts), audit length, marks count, the metadata hash (flat), the expiry (ms) and
 * `fk` (every blob with its part count).
 * slide moves every key's expiry forward (and fails CORRUPT_DATA when a key of the session is missing).
 */
export const LUA_LOAD = `
if redis.call('EXISTS', SK) == 0 then return false end
local names = { 'v', 'rev', 'ttl', 'seq', 'initrows', 'created', 'updated', 'filename', 'cur', 'hist', 'redo',
  'lastuser', 'fk', 'mf', 'lay' }
local raw = redis.call('HMGET', SK, unpack(names))
upgrade_layout(raw[15], raw[13])
local at
if ARGV[1] == 'slide' then
  at = refresh({ v = tonumber(raw[1]), ttl = tonumber(raw[3]), seq = tonumber(raw[4] or '0'), fk = raw[13] or '' })
else
  at = now_ms() + math.max(redis.call('PTTL', SK), 0)
end
-- The caller holds the state at this revision (ARGV[3]): every commit changes rev, so only the expiry is new.
if ARGV[3] and ARGV[3] ~= '' and raw[2] == ARGV[3] then return { 'same', tostring(at) } end
local out = {}
for i = 1, 12 do out[i] = raw[i] or '' end
out[13] = redis.call('LLEN', B .. 'audit')
out[14] = redis.call('HLEN', B .. 'marks')
out[15] = redis.call('HGETALL', B .. 'meta')
out[16] = tostring(at)
out[17] = raw[13] or ''
-- Manifests are immutable per frame id: the caller names those it holds already (ARGV[2]), and only the
-- others travel (a 100k x 50 frame's manifest is ~6 KB; a session holds several).
local known = {}
for f in string.gmatch(ARGV[2] or '', '[^,]+') do known[f] = true end
local mflat = {}
for f in string.gmatch(raw[14] or '', '[^,]+') do
  if not known[f] then
    mflat[#mflat + 1] = f
    mflat[#mflat + 1] = redis.call('HGET', SK, 'm:' .. f) or ''
  end
end
out[18] = mflat
return out
`;

/**
 * The one commit of every session change. KEYS[1] the state hash, KEYS[2] the upload hash of a promoted sheet
 * (the state key again when there is none; same slot). ARGV:
 *   1 guard ('<fence version>/<lock token>')   2 mode: update | create | overwrite
 *   3 the revision the change was computed from (update)   4 now (ISO)   5 '1' keeps `updated` from the fields
 *   6 last access in ms ('' = now; the TTL counts from it)   7 state fields (JSON object, with the new `rev`)
 *   8 metadata ('' = unchanged; else a JSON flat [field, json, …] list)   9 marks (same, '' = unchanged)
 *   10 number of audit entries A, then A entries (JSON)
 *   then the number of new frames F, then F × (frame id, chunks, inline bytes or '', sheet frame id or '')
 *   then '1' to delete the upload of a promoted sheet.
 * Every check comes before the first write (scripts are atomic but do not roll back). A changed revision is
 * CONFLICT: the engine computes the change again on the new state.
 */
export const LUA_COMMIT = `
local mode = ARGV[2]
local exists = redis.call('EXISTS', SK) == 1
local old = { fk = '' }
if exists then
  local raw = redis.call('HMGET', SK, 'v', 'rev', 'fk', 'seq', 'ttl', 'mf', 'lay')
  old = { v = tonumber(raw[1]), rev = raw[2] or '0', fk = raw[3] or '', seq = tonumber(raw[4] or '0'), ttl = raw[5],
    mf = raw[6] or '' }
  if mode == 'update' then
    upgrade_layout(raw[7], old.fk)
  elseif raw[7] ~= '2' then
    -- Replaced whole (overwrite): the blobs of the layout before the frames hash just go, even if some are
    -- missing already (a damaged session can still be replaced). The new state brings all of its own.
    drop_legacy(old.fk)
    redis.call('HDEL', SK, 'brev')
    old.fk = ''
  end
end
if mode == 'update' then
  if not exists then fail('SESSION_NOT_FOUND') end
  guard(old, ARGV[1])
  if old.rev ~= ARGV[3] then fail('CONFLICT') end
elseif mode == 'create' then
  if exists then fail('STALE_WRITE', 'exists') end
else
  guard(old, ARGV[1])
end
-- An update sends only the fields that changed; the others keep their stored values.
local fields = cjson.decode(ARGV[7])
-- Decoded before the first write, like every other argument: a value cjson cannot read fails the commit with
-- nothing written.
local meta_flat = ARGV[8] ~= '' and cjson.decode(ARGV[8]) or nil
local marks_flat = ARGV[9] ~= '' and cjson.decode(ARGV[9]) or nil
local fk = fields.fk or old.fk
local naudit = tonumber(ARGV[10])
local i = 11 + naudit
local frames = {}
for _ = 1, tonumber(ARGV[i]) do
  frames[#frames + 1] = { f = ARGV[i + 1], n = ARGV[i + 2], inline = ARGV[i + 3], sheet = ARGV[i + 4] }
  i = i + 4
end
local consume = ARGV[i + 1] == '1'
local UK = KEYS[2]
local function sheet_src(f, n) return chunk_keys(string.sub(UK, 1, -7) .. 'sheet:' .. f, n) end
local function stage_key(field) return B .. 'stage:' .. field end
for _, fr in ipairs(frames) do
  if fr.sheet ~= '' then
    if redis.call('EXISTS', UK) == 0 then fail('UPLOAD_NOT_FOUND') end
    for _, k in ipairs(sheet_src(fr.sheet, fr.n)) do
      if redis.call('EXISTS', k) == 0 then fail('CORRUPT_DATA', 'chunk') end
    end
  elseif fr.inline == '' then
    -- Written beforehand into its stage key (or, for a content-addressed chunk, stored already).
    for _, field in ipairs(frame_fields(fr.f, fr.n)) do
      if redis.call('EXISTS', stage_key(field)) == 0 and redis.call('HEXISTS', FH, field) == 0 then
        fail('CORRUPT_DATA', 'chunk')
      end
    end
  end
end
-- A session missing a key it still needs (eviction, an operator's DEL) is CORRUPT_DATA, never half-served.
-- Its blobs are one hash, evicted as a whole: it must exist while a blob the new state keeps was stored
-- before this commit.
if mode == 'update' then
  local need = {}
  local fresh = {}
  for _, fr in ipairs(frames) do fresh[fr.f] = true end
  for f in string.gmatch(fk, '([^:,]+):%d+') do
    if not fresh[f] then
      need[1] = FH
      break
    end
  end
  if old.seq > 0 then need[#need + 1] = B .. 'audit' end
  if #need > 0 and redis.call('EXISTS', unpack(need)) ~= #need then fail('CORRUPT_DATA', 'partial') end
end
-- checks done; from here on everything is written
for _, fr in ipairs(frames) do
  local dst = frame_fields(fr.f, fr.n)
  if fr.sheet ~= '' then
    for j, k in ipairs(sheet_src(fr.sheet, fr.n)) do redis.call('HSET', FH, dst[j], redis.call('GET', k)) end
  elseif fr.inline ~= '' then
    redis.call('HSET', FH, dst[1], fr.inline)
  else
    for _, field in ipairs(dst) do
      local staged = redis.call('GET', stage_key(field))
      if staged then
        redis.call('HSET', FH, field, staged)
        redis.call('UNLINK', stage_key(field))
      end
    end
  end
end
if consume and redis.call('EXISTS', UK) == 1 then
  for f, n in string.gmatch(redis.call('HGET', UK, 'fk') or '', '([^:,]+):(%d+)') do
    for _, k in ipairs(sheet_src(f, n)) do redis.call('UNLINK', k) end
  end
  redis.call('UNLINK', UK)
end
if mode ~= 'update' then
  redis.call('UNLINK', B .. 'audit', B .. 'marks', B .. 'meta', B .. 'schema')
  redis.call('HSET', SK, 'lay', '2')
  -- a replaced session's manifests that the new one does not name
  for f in string.gmatch(old.mf or '', '[^,]+') do
    if fields['m:' .. f] == nil then redis.call('HDEL', SK, 'm:' .. f) end
  end
end
local rev = fields.rev
if ARGV[5] ~= '1' then fields.updated = ARGV[4] end
for k, v in pairs(fields) do
  -- An empty value deletes the field (no filename; the manifest of a dropped frame).
  if v == '' and (k == 'filename' or string.sub(k, 1, 2) == 'm:') then redis.call('HDEL', SK, k)
  else redis.call('HSET', SK, k, v) end
end
local function replace_hash(key, flat)
  if flat == nil then return end
  redis.call('DEL', key)
  for j = 1, #flat, 1000 do
    redis.call('HSET', key, unpack(flat, j, math.min(j + 999, #flat)))
  end
end
replace_hash(B .. 'meta', meta_flat)
replace_hash(B .. 'marks', marks_flat)
for j = 1, naudit do redis.call('RPUSH', B .. 'audit', ARGV[10 + j]) end
-- Blobs only the old fk names are dropped (nothing to do when fk did not change).
if fields.fk ~= nil and fk ~= old.fk then
  local keep = {}
  for f in string.gmatch(fk, '([^:,]+):%d+') do keep[f] = true end
  local dropped = {}
  for f, n in string.gmatch(old.fk, '([^:,]+):(%d+)') do
    if not keep[f] then
      for _, field in ipairs(frame_fields(f, n)) do dropped[#dropped + 1] = field end
    end
  end
  hdel_all(dropped)
end
local ttl = tonumber(fields.ttl or old.ttl)
local seq = tonumber(fields.seq or old.seq)
local now = now_ms()
local at = now + ttl * 1000
if ARGV[6] ~= '' then at = tonumber(ARGV[6]) + ttl * 1000 end
-- Nothing new to give a TTL to (no frame, no replaced hash, no new audit list) and the expiry slid moments
-- ago: keep it (as a read does, docs/redis-layout.md); otherwise every key gets the new instant.
local current = redis.pcall('PEXPIRETIME', SK)
local unchanged_keys = mode == 'update' and #frames == 0 and ARGV[8] == '' and ARGV[9] == ''
  and (old.seq > 0 or naudit == 0) and ARGV[6] == ''
-- Only a slide forward is coalesced: a shorter TTL (touchSession) moves the expiry earlier at once.
if unchanged_keys and type(current) == 'number' and current > now and at >= current
  and at - current < math.min(20, ttl * 10) then
  at = current
else
  pin_all({ ttl = ttl, seq = seq, fk = fk }, at, false)
end
return { tostring(rev), tostring(at), fields.updated }
`;

/** ARGV: guard. Returns 1 when the session existed. Every key of the session goes in one step. */
export const LUA_DELETE = `
if redis.call('EXISTS', SK) == 0 then return 0 end
local st = light_state()
guard(st, ARGV[1])
if st.lay ~= '2' then drop_legacy(st.fk) end
-- schema: the column-name hash of sessions written before the engine (read by nothing now)
redis.call('UNLINK', SK, FH, B .. 'audit', B .. 'marks', B .. 'meta', B .. 'schema', B .. 'ops', B .. 'opq')
return 1
`;
