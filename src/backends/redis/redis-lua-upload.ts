/**
 * Lua for temp uploads (a multi-sheet file before a sheet is picked). The upload hash `<prefix>{<uploadId>}:upload`
 * holds ttl, exp (absolute expiry, ms), created, filename, sheets (JSON list of { name, f, n, r, c, b, cols })
 * and fk (as for sessions); sheet frames are `<prefix>{<uploadId>}:sheet:<fid>[:<chunk>]`. Uploads have a
 * fixed lifetime: reading one does not slide it.
 */
export const LUA_UPLOAD_COMMON = `
local function sheet_keys(uk, f, n) return chunk_keys(string.sub(uk, 1, -7) .. 'sheet:' .. f, n) end

local function load_upload(uk)
  local raw = redis.call('HGETALL', uk)
  if #raw == 0 then fail('UPLOAD_NOT_FOUND') end
  local up = {}
  for i = 1, #raw, 2 do up[raw[i]] = raw[i + 1] end
  up.ttl = tonumber(up.ttl)
  return up
end

local function pin_upload(uk, fk, at)
  redis.call('PEXPIREAT', uk, at)
  for f, n in string.gmatch(fk, '([^:,]+):(%d+)') do
    for _, k in ipairs(sheet_keys(uk, f, n)) do redis.call('PEXPIREAT', k, at) end
  end
  return at
end

local function require_chunks(keys)
  for _, k in ipairs(keys) do
    if redis.call('EXISTS', k) == 0 then fail('CORRUPT_DATA', 'chunk') end
  end
end

local function find_sheet(up, name)
  for _, s in ipairs(cjson.decode(up.sheets)) do
    if s.name == name then return s end
  end
  fail('SHEET_NOT_FOUND')
end

local function drop_upload(uk, up)
  for f, n in string.gmatch(up.fk, '([^:,]+):(%d+)') do
    for _, k in ipairs(sheet_keys(uk, f, n)) do redis.call('UNLINK', k) end
  end
  redis.call('UNLINK', uk)
end
`;

/**
 * Store or import. KEYS[1] upload. ARGV: ttl, created_iso, filename, sheets_json, fk, expire_at ('' = now+ttl),
 * overwrite ('1'). Sheet chunks were written beforehand under fresh frame ids; this makes them visible at once.
 */
export const LUA_UPLOAD_PUT = `
local UK = KEYS[1]
local exists = redis.call('EXISTS', UK) == 1
if exists and ARGV[7] ~= '1' then fail('STALE_WRITE', 'exists') end
for f, n in string.gmatch(ARGV[5], '([^:,]+):(%d+)') do require_chunks(sheet_keys(UK, f, n)) end
if exists then drop_upload(UK, load_upload(UK)) end
local at = now_ms() + tonumber(ARGV[1]) * 1000
if ARGV[6] ~= '' then at = tonumber(ARGV[6]) end
redis.call('HSET', UK, 'ttl', ARGV[1], 'exp', at, 'created', ARGV[2], 'sheets', ARGV[4], 'fk', ARGV[5])
if ARGV[3] ~= '' then redis.call('HSET', UK, 'filename', ARGV[3]) end
return tostring(pin_upload(UK, ARGV[5], at))
`;

/** KEYS[1] upload. Returns { created, filename, sheets_json, expire_at, ttl }. */
export const LUA_UPLOAD_INFO = `
local up = load_upload(KEYS[1])
return { up.created, up.filename or '', up.sheets, up.exp, tostring(up.ttl) }
`;

/** KEYS[1] upload. ARGV: sheet name. Returns { sheet_json, 'inline', bytes } or { sheet_json, 'chunked' }. */
export const LUA_UPLOAD_READ = `
local UK = KEYS[1]
local up = load_upload(UK)
local s = find_sheet(up, ARGV[1])
local keys = sheet_keys(UK, s.f, s.n)
for _, k in ipairs(keys) do
  if redis.call('EXISTS', k) == 0 then fail('CORRUPT_DATA', 'partial') end
end
if s.n > 1 or s.b > INLINE_MAX then return { cjson.encode(s), 'chunked' } end
return { cjson.encode(s), 'inline', redis.call('GET', keys[1]) }
`;

/** KEYS[1] upload. Returns 1 when it existed. */
export const LUA_UPLOAD_DELETE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
drop_upload(KEYS[1], load_upload(KEYS[1]))
return 1
`;
