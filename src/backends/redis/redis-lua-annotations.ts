/** Lua bodies for metadata, audit log and intentional-missing marks (light: no JSON decoding of history). */

/** ARGV: mode (get | set), guard, then field/value pairs ('' value deletes). Returns HGETALL meta. */
export const LUA_META = `
local st = light_state()
if ARGV[1] == 'set' then guard(st, ARGV[2]) end
local at = refresh(st)
if ARGV[1] == 'set' then
  for i = 3, #ARGV, 2 do
    if ARGV[i + 1] == '' then
      redis.call('HDEL', B .. 'meta', ARGV[i])
    else
      redis.call('HSET', B .. 'meta', ARGV[i], ARGV[i + 1])
    end
  end
  redis.call('PEXPIREAT', B .. 'meta', at)
end
return redis.call('HGETALL', B .. 'meta')
`;

/**
 * ARGV: mode, then per mode — add: guard, audit_tail… → entry JSONs (one per tail, consecutive seq);
 * get: start, stop → JSON entries; initial: → rows at upload.
 */
export const LUA_AUDIT = `
local st = light_state()
if ARGV[1] == 'add' then
  guard(st, ARGV[2])
  local at = refresh(st)
  local entries = {}
  for i = 3, #ARGV do entries[#entries + 1] = audit(ARGV[i]) end
  redis.call('PEXPIREAT', B .. 'audit', at)
  return entries
end
refresh(st)
if ARGV[1] == 'get' then return redis.call('LRANGE', B .. 'audit', ARGV[2], ARGV[3]) end
return redis.call('HGET', SK, 'initrows') or '0'
`;

/**
 * ARGV: mode, then — set: guard, then row/column/value triples (all-or-nothing; every column must
 * exist in the current frame, whose column names live in the schema hash; a missing entry asks Node to fill
 * it: NEED_SCHEMA); get: → HGETALL marks; clear: guard, then row/column pairs (none = all) → count.
 * A mark's field is '<row>:<column>' (the row is digits, so the first ':' splits it).
 */
export const LUA_MARKS = `
local st = light_state()
local mode = ARGV[1]
if mode == 'get' then
  refresh(st)
  return redis.call('HGETALL', B .. 'marks')
end
guard(st, ARGV[2])
local at = refresh(st)
local MK = B .. 'marks'
if mode == 'set' then
  local cur = cjson.decode(redis.call('HGET', SK, 'cur'))
  local raw = redis.call('HGET', B .. 'schema', cur.f)
  if not raw then fail('NEED_SCHEMA', cur.f) end
  local columns = {}
  for _, name in ipairs(cjson.decode(raw)) do columns[name] = true end
  for i = 3, #ARGV, 3 do
    if not columns[ARGV[i + 1]] then fail('INVALID_INPUT', tostring((i - 3) / 3)) end
    if tonumber(ARGV[i]) >= cur.r then fail('INVALID_INPUT', 'row:' .. tostring((i - 3) / 3)) end
  end
  for i = 3, #ARGV, 3 do redis.call('HSET', MK, ARGV[i] .. ':' .. ARGV[i + 1], ARGV[i + 2]) end
  redis.call('PEXPIREAT', MK, at)
  return (#ARGV - 2) / 3
end
if #ARGV == 2 then
  local n = redis.call('HLEN', MK)
  redis.call('UNLINK', MK)
  return n
end
local removed = 0
for i = 3, #ARGV, 2 do removed = removed + redis.call('HDEL', MK, ARGV[i] .. ':' .. ARGV[i + 1]) end
return removed
`;

/** ARGV: frame id, columns JSON. Records a frame's column names when they were unknown (imported frames). */
export const LUA_SCHEMA = `
if redis.call('EXISTS', SK) == 0 then fail('SESSION_NOT_FOUND') end
redis.call('HSET', B .. 'schema', ARGV[1], ARGV[2])
redis.call('PEXPIREAT', B .. 'schema', now_ms() + math.max(redis.call('PTTL', SK), 1))
return 1
`;
