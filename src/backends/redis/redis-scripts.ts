import type { StorageErrorCode } from '../../contract/errors.js';
import type { RedisClient } from './redis-client.js';
import { LUA_AUDIT, LUA_MARKS, LUA_META, LUA_SCHEMA } from './redis-lua-annotations.js';
import { LUA_COMMIT, LUA_LOAD } from './redis-lua-commit.js';
import { LUA_COMMON, LUA_SESSION_CORE, LUA_SESSION_STATE } from './redis-lua-prelude.js';
import {
  LUA_CREATE,
  LUA_DELETE,
  LUA_INFO,
  LUA_MOVE,
  LUA_READ,
  LUA_SNAPSHOT,
  LUA_UPDATE,
} from './redis-lua-session.js';
import { LUA_EXPORT, LUA_IMPORT } from './redis-lua-transfer.js';
import {
  LUA_PROMOTE,
  LUA_UPLOAD_COMMON,
  LUA_UPLOAD_DELETE,
  LUA_UPLOAD_INFO,
  LUA_UPLOAD_PUT,
  LUA_UPLOAD_READ,
} from './redis-lua-upload.js';

/**
 * A session write runs at most once per operation id (the last ARGV; '' for reads): a resent command whose
 * first run committed returns the recorded outcome (see remember_op).
 */
const once = (body: string) => `
local OP = table.remove(ARGV)
if OP ~= '' then
  local seen = redis.call('HGET', B .. 'ops', OP) or redis.call('GET', B .. 'gone:' .. OP)
  if seen then return cjson.decode(seen)[1] end
end
local result = (function()
${body}
end)()
if OP ~= '' then remember_op(OP, result) end
return result
`;

/** Scripts that only fence, slide TTLs and touch side keys skip the heavier state helpers. */
const light = (body: string) => ({ keys: 1, lua: LUA_COMMON + LUA_SESSION_CORE + body });
const session = (body: string) => ({
  keys: 1,
  lua: LUA_COMMON + LUA_SESSION_CORE + LUA_SESSION_STATE + body,
});

/** Scripts whose writes carry an operation id (see `once`). */
export const ONCE_SCRIPTS: ReadonlySet<string> = new Set([
  'fsCommit',
  'fsCreate',
  'fsUpdate',
  'fsSnapshot',
  'fsMove',
  'fsDelete',
  'fsMeta',
  'fsAudit',
  'fsMarks',
  'fsImport',
  'fsPromote',
]);

/** Modes of the multi-mode scripts that only read (no operation id, nothing recorded). */
const READ_MODES: ReadonlySet<string> = new Set(['get', 'initial']);

/** The operation-id argument a call must append: a fresh id for a write, '' for a read. */
export function operationArg(name: string, args: readonly ScriptArg[], newOp: () => string): string[] {
  if (!ONCE_SCRIPTS.has(name)) return [];
  return [READ_MODES.has(String(args[0])) ? '' : newOp()];
}
const upload = (body: string) => ({ keys: 1, lua: LUA_COMMON + LUA_UPLOAD_COMMON + body });

/** Every script, by command name. ioredis `defineCommand` runs them with EVALSHA and falls back on NOSCRIPT. */
export const SCRIPTS = {
  fsLoad: light(LUA_LOAD),
  fsCommit: { keys: 2, lua: LUA_COMMON + LUA_SESSION_CORE + once(LUA_COMMIT) },
  fsCreate: session(once(LUA_CREATE)),
  fsInfo: session(LUA_INFO),
  fsRead: session(LUA_READ),
  fsUpdate: session(once(LUA_UPDATE)),
  fsSnapshot: session(once(LUA_SNAPSHOT)),
  fsMove: session(once(LUA_MOVE)),
  fsDelete: light(once(LUA_DELETE)),
  fsMeta: light(once(LUA_META)),
  fsAudit: light(once(LUA_AUDIT)),
  fsMarks: light(once(LUA_MARKS)),
  fsSchema: light(LUA_SCHEMA),
  fsExport: light(LUA_EXPORT),
  fsImport: session(once(LUA_IMPORT)),
  fsUploadPut: upload(LUA_UPLOAD_PUT),
  fsUploadInfo: upload(LUA_UPLOAD_INFO),
  fsUploadRead: upload(LUA_UPLOAD_READ),
  fsUploadDelete: upload(LUA_UPLOAD_DELETE),
  fsPromote: {
    keys: 2,
    lua: LUA_COMMON + LUA_SESSION_CORE + LUA_SESSION_STATE + LUA_UPLOAD_COMMON + once(LUA_PROMOTE),
  },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

export type ScriptArg = string | number | Buffer;

type ScriptMethod = (...args: ScriptArg[]) => Promise<unknown>;

/** Registers every script on the client (idempotent per client). */
export function defineScripts(client: RedisClient): void {
  const methods = client as unknown as Record<string, unknown>;
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (typeof methods[name] === 'function') continue;
    client.defineCommand(name, { numberOfKeys: script.keys, lua: script.lua });
  }
}

/** Runs a script; `buffers` asks for Buffer replies (frame bytes must never be decoded as strings). */
export function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArg[],
  buffers = false,
): Promise<unknown> {
  const method = (client as unknown as Record<string, ScriptMethod>)[buffers ? `${name}Buffer` : name];
  if (method === undefined) throw new Error(`script ${name} is not defined on this client`);
  return method.call(client, ...keys, ...args);
}

/** A failure raised by our Lua (`FSERR <CODE> <detail>`), or undefined for any other error. */
export interface ScriptFailure {
  code: StorageErrorCode | 'NEED_SCHEMA' | 'SHEET_NOT_FOUND' | 'LOCKED' | 'CONFLICT';
  detail: string;
}

export function scriptFailure(error: unknown): ScriptFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = /^FSERR ([A-Z_]+) ?(\S*)/.exec(error.message);
  if (!match) return undefined;
  return { code: match[1] as ScriptFailure['code'], detail: match[2] ?? '' };
}
