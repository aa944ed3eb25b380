/**
 * Lua for temp uploads (a multi-sheet file before a sheet is picked). The upload hash `<prefix>{<uploadId>}:upload`
 * holds ttl, exp (absolute expiry, ms), created, filename, sheets (JSON list of { name, f, n, r, c, b }) and
 * fk (as for sessions); sheet frames are `<prefix>{<uploadId>}:sheet:<fid>[:<chunk>]`. Uploads have a fixed
 * lifetime: reading one does not slide it, and reads are plain commands (redis-uploads.ts).
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

local function drop_upload(uk, up)
  for f, n in string.gmatch(up.fk, '([^:,]+):(%d+)') do
    for _, k in ipairs(sheet_keys(uk, f, n)) do redis.call('UNLINK', k) end
  end
  redis.call('UNLINK', uk)
end
`;

/**
 * Store or import. KEYS[1] upload. ARGV: ttl, created_iso, filename, sheets_json, fk, expire_at (ms), overwrite
 * ('1'). Sheet chunks were written beforehand under fresh frame ids; this makes them visible at once. Those ids
 * make `fk` unique to one call: an upload that already holds it is this call's own, resent after a lost reply.
 */
export const LUA_UPLOAD_PUT = `
local UK = KEYS[1]
local exists = redis.call('EXISTS', UK) == 1
if exists and ARGV[5] ~= '' and redis.call('HGET', UK, 'fk') == ARGV[5] then return redis.call('HGET', UK, 'exp') end
if exists and ARGV[7] ~= '1' then fail('STALE_WRITE', 'exists') end
for f, n in string.gmatch(ARGV[5], '([^:,]+):(%d+)') do require_chunks(sheet_keys(UK, f, n)) end
if exists then drop_upload(UK, load_upload(UK)) end
local at = tonumber(ARGV[6])
redis.call('HSET', UK, 'ttl', ARGV[1], 'exp', at, 'created', ARGV[2], 'sheets', ARGV[4], 'fk', ARGV[5])
if ARGV[3] ~= '' then redis.call('HSET', UK, 'filename', ARGV[3]) end
return tostring(pin_upload(UK, ARGV[5], at))
`;

/** KEYS[1] upload. Returns 1 when it existed. */
export const LUA_UPLOAD_DELETE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
drop_upload(KEYS[1], load_upload(KEYS[1]))
return 1
`;
