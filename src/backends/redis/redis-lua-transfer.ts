/** Lua for moving whole sessions (§8): a consistent read without sliding the TTL, and a one-step write. */

/**
 * Returns { state pairs, audit entries, marks pairs, meta pairs, expire_at }. Does not slide the
 * TTL. Frames are fetched by Node afterwards: they are immutable, and a frame dropped meanwhile shows up as a
 * missing key, upon which Node reads again.
 */
export const LUA_EXPORT = `
local st = light_state()
for f, n in string.gmatch(st.fk, '([^:,]+):(%d+)') do
  for _, k in ipairs(frame_keys(f, n)) do
    if redis.call('EXISTS', k) == 0 then fail('CORRUPT_DATA', 'partial') end
  end
end
if st.seq > 0 and redis.call('EXISTS', B .. 'audit') == 0 then fail('CORRUPT_DATA', 'partial') end
return { redis.call('HGETALL', SK), redis.call('LRANGE', B .. 'audit', 0, -1), redis.call('HGETALL', B .. 'marks'),
  redis.call('HGETALL', B .. 'meta'), tostring(now_ms() + math.max(redis.call('PTTL', SK), 0)) }
`;

/**
 * ARGV: overwrite ('1'), expire_at (absolute ms), guard (for an overwrite), then five counted sections: state pairs, audit entries,
 * marks pairs, meta pairs, schema pairs. Frames were written beforehand under fresh ids and must all exist.
 */
export const LUA_IMPORT = `
local pos = 4
local function section()
  local n = tonumber(ARGV[pos])
  local out = {}
  for i = pos + 1, pos + n do out[#out + 1] = ARGV[i] end
  pos = pos + n + 1
  return out
end
local flat, entries_in, marks, meta, schema = section(), section(), section(), section(), section()
local st = {}
for i = 1, #flat, 2 do st[flat[i]] = flat[i + 1] end
st.v = tonumber(st.v)
st.ttl = tonumber(st.ttl)
st.seq = tonumber(st.seq or '0')
st.cur = cjson.decode(st.cur)
st.hist = cjson.decode(st.hist)
st.redo = cjson.decode(st.redo)
st.fk = frame_list(st)
for f, n in string.gmatch(st.fk, '([^:,]+):(%d+)') do
  for _, k in ipairs(frame_keys(f, n)) do
    if redis.call('EXISTS', k) == 0 then fail('CORRUPT_DATA', 'chunk') end
  end
end
if redis.call('EXISTS', SK) == 1 then
  if ARGV[1] ~= '1' then fail('STALE_WRITE', 'exists') end
  local old = light_state()
  guard(old, ARGV[3])
  for f, n in string.gmatch(old.fk, '([^:,]+):(%d+)') do
    for _, k in ipairs(frame_keys(f, n)) do redis.call('UNLINK', k) end
  end
  redis.call('UNLINK', SK, B .. 'audit', B .. 'marks', B .. 'meta', B .. 'schema', B .. 'ops', B .. 'opq')
end
for i = 1, #flat, 2 do redis.call('HSET', SK, flat[i], flat[i + 1]) end
redis.call('HSET', SK, 'fk', st.fk)
for i = 1, #entries_in, 500 do
  redis.call('RPUSH', B .. 'audit', unpack(entries_in, i, math.min(i + 499, #entries_in)))
end
for i = 1, #marks, 2 do redis.call('HSET', B .. 'marks', marks[i], marks[i + 1]) end
for i = 1, #meta, 2 do redis.call('HSET', B .. 'meta', meta[i], meta[i + 1]) end
for i = 1, #schema, 2 do redis.call('HSET', B .. 'schema', schema[i], schema[i + 1]) end
return reply(st, pin_all(st, tonumber(ARGV[2]), false))
`;
