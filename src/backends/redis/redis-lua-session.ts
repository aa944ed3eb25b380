/**
 * Lua bodies of the session scripts (see redis-lua-prelude.ts for the state layout).
 * Each is one atomic step; versions, undo, redo and restore only move frame references.
 */

/** ARGV: ttl, now_iso, cur_json, cols_json, filename, audit_tail, inline, initrows, meta field/value pairs… */
export const LUA_CREATE = `
if redis.call('EXISTS', SK) == 1 then fail('STALE_WRITE', 'exists') end
local cur = cjson.decode(ARGV[3])
place_frame(cur, ARGV[7])
local st = { v = 1, ttl = tonumber(ARGV[1]), seq = 0, created = ARGV[2], cur = cur, hist = {}, redo = {} }
if ARGV[5] ~= '' then st.filename = ARGV[5] end
save_state(st, ARGV[2])
redis.call('HSET', SK, 'ttl', ARGV[1], 'created', ARGV[2], 'seq', 0, 'initrows', ARGV[8])
if st.filename then redis.call('HSET', SK, 'filename', st.filename) end
redis.call('HSET', B .. 'schema', cur.f, ARGV[4])
for i = 9, #ARGV, 2 do redis.call('HSET', B .. 'meta', ARGV[i], ARGV[i + 1]) end
audit(ARGV[6])
st.seq = 1
return reply(st, pin_all(st, now_ms() + st.ttl * 1000, false))
`;

/**
 * ARGV: mode (peek | slide | touch | versions), new ttl ('' keeps it). peek neither slides nor checks;
 * versions also returns the history list.
 */
export const LUA_INFO = `
local st = load_state()
local at
if ARGV[1] == 'peek' then
  at = now_ms() + math.max(redis.call('PTTL', SK), 0)
else
  if ARGV[1] == 'touch' and ARGV[2] ~= '' then
    st.ttl = tonumber(ARGV[2])
    redis.call('HSET', SK, 'ttl', ARGV[2])
  end
  at = refresh(st)
end
local out = reply(st, at)
if ARGV[1] == 'versions' then out[#out + 1] = enc_list(st.hist) end
return out
`;

/**
 * ARGV: version ('' = current), frame ids the caller has decoded already (comma-separated).
 * Returns { entry_json, 'cached' } when the caller holds that frame, { entry_json, 'inline', bytes } for a
 * small frame, { entry_json, 'chunked' } otherwise (Node then GETs the chunks; frames are immutable).
 */
export const LUA_READ = `
local st = load_state()
refresh(st)
local e
local want = tonumber(ARGV[1])
if ARGV[1] == '' or want == st.v then
  e = st.cur
else
  for _, h in ipairs(st.hist) do if h.v == want then e = h end end
  for _, h in ipairs(st.redo) do if h.v == want then e = h end end
  if not e then fail('VERSION_NOT_FOUND') end
end
local out = cjson.encode(e)
if string.find(',' .. ARGV[2] .. ',', ',' .. e.f .. ',', 1, true) then return { out, 'cached' } end
if e.n > 1 or e.b > INLINE_MAX then return { out, 'chunked' } end
return { out, 'inline', redis.call('GET', frame_keys(e.f, 1)[1]) }
`;

/** ARGV: guard, max_versions, now_iso, new_json, cols_json, operation, audit_tail, inline */
export const LUA_UPDATE = `
local st = load_state()
guard(st, ARGV[1])
local at = refresh(st)
local new = cjson.decode(ARGV[4])
place_frame(new, ARGV[8])
local old = st.cur
old.v = st.v
old.op = ARGV[6]
old.label = nil
old.at = ARGV[3]
st.hist[#st.hist + 1] = old
local dropped = st.redo
st.redo = {}
trim(st.hist, tonumber(ARGV[2]), dropped)
st.cur = new
st.v = st.v + 1
save_state(st, ARGV[3])
local freed = gc(st, dropped)
redis.call('HSET', B .. 'schema', new.f, ARGV[5])
audit(ARGV[7], '"rowsBefore":' .. old.r .. ',')
st.seq = st.seq + 1
local out = reply(st, pin_all(st, at, false))
out[#out + 1] = freed
return out
`;

/** ARGV: guard, max_versions, now_iso, label. Returns { entry_json, reply… }. */
export const LUA_SNAPSHOT = `
local st = load_state()
guard(st, ARGV[1])
local at = refresh(st)
local c = st.cur
local e = { f = c.f, n = c.n, r = c.r, c = c.c, b = c.b, v = st.v, op = 'snapshot', at = ARGV[3] }
if ARGV[4] ~= '' then e.label = ARGV[4] end
st.hist[#st.hist + 1] = e
local dropped = {}
trim(st.hist, tonumber(ARGV[2]), dropped)
trim(st.redo, tonumber(ARGV[2]), dropped)
st.v = st.v + 1
save_state(st, ARGV[3])
local freed = gc(st, dropped)
local out = reply(st, at)
table.insert(out, 1, cjson.encode(e))
out[#out + 1] = freed
return out
`;

/**
 * undo / redo / restore. ARGV: mode, guard, max_versions, now_iso, target_version, audit_tail.
 * The frame leaving "current" is recorded at the version it had; no frame bytes move.
 */
export const LUA_MOVE = `
local st = load_state()
guard(st, ARGV[2])
local at = refresh(st)
local mode, max, now_iso = ARGV[1], tonumber(ARGV[3]), ARGV[4]
-- Restoring the version that is current changes nothing (docs/semantics.md).
if mode == 'restore' and tonumber(ARGV[5]) == st.v then
  local out = reply(st, at)
  out[#out + 1] = ''
  return out
end
local before = st.cur
before.v = st.v
before.at = now_iso
local dropped = {}
-- An entry's op and label describe the change from its frame to the next: undo moves them onto the redo
-- stack with the frame that change led to, redo moves them back (docs/semantics.md).
local function frame_only(e) return { f = e.f, n = e.n, r = e.r, c = e.c, b = e.b, at = now_iso } end
if mode == 'undo' then
  if #st.hist == 0 then fail('NOTHING_TO_UNDO') end
  local e = table.remove(st.hist)
  before.op, before.label = e.op, e.label
  st.cur = frame_only(e)
  st.redo[#st.redo + 1] = before
  trim(st.redo, max, dropped)
elseif mode == 'redo' then
  if #st.redo == 0 then fail('NOTHING_TO_REDO') end
  local e = table.remove(st.redo)
  before.op, before.label = e.op, e.label
  st.cur = frame_only(e)
  st.hist[#st.hist + 1] = before
  trim(st.hist, max, dropped)
else
  local want, target = tonumber(ARGV[5]), nil
  for _, h in ipairs(st.hist) do if h.v == want then target = h end end
  for _, h in ipairs(st.redo) do if h.v == want then target = h end end
  if not target then fail('VERSION_NOT_FOUND') end
  before.op = 'restore'
  before.label = nil
  st.hist[#st.hist + 1] = before
  for _, e in ipairs(st.redo) do dropped[#dropped + 1] = e end
  st.redo = {}
  trim(st.hist, max, dropped)
  st.cur = { f = target.f, n = target.n, r = target.r, c = target.c, b = target.b, at = now_iso }
end
st.v = st.v + 1
save_state(st, now_iso)
local freed = gc(st, dropped)
audit(ARGV[6], '"rowsBefore":' .. before.r .. ',"rowsAfter":' .. st.cur.r .. ',')
st.seq = st.seq + 1
local out = reply(st, pin_all(st, at, false))
out[#out + 1] = freed
return out
`;

/** ARGV: guard. Returns 1 when the session existed. */
export const LUA_DELETE = `
if redis.call('EXISTS', SK) == 0 then return 0 end
local st = light_state()
guard(st, ARGV[1])
for f, n in string.gmatch(st.fk, '([^:,]+):(%d+)') do
  for _, k in ipairs(frame_keys(f, n)) do redis.call('UNLINK', k) end
end
redis.call('UNLINK', SK, B .. 'audit', B .. 'marks', B .. 'meta', B .. 'schema', B .. 'ops', B .. 'opq')
return 1
`;
