import type { StorageErrorCode } from '../../contract/errors.js';
import type { RedisClient } from './redis-client.js';
import { LUA_COMMIT, LUA_DELETE, LUA_LOAD } from './redis-lua-commit.js';
import { LUA_COMMON, LUA_SESSION_CORE } from './redis-lua-prelude.js';
import { LUA_UPLOAD_COMMON, LUA_UPLOAD_DELETE, LUA_UPLOAD_PUT } from './redis-lua-upload.js';

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

const session = (keys: number, body: string) => ({ keys, lua: LUA_COMMON + LUA_SESSION_CORE + body });
const upload = (body: string) => ({ keys: 1, lua: LUA_COMMON + LUA_UPLOAD_COMMON + body });

/** Scripts whose writes carry an operation id (see `once`). */
export const ONCE_SCRIPTS: ReadonlySet<string> = new Set(['fsCommit', 'fsDelete']);

/** The operation-id argument a call must append: a fresh id for a write, nothing for a read. */
export function operationArg(name: string, _args: readonly ScriptArg[], newOp: () => string): string[] {
  return ONCE_SCRIPTS.has(name) ? [newOp()] : [];
}

/**
 * Every script, by command name. ioredis `defineCommand` runs them with EVALSHA and falls back on NOSCRIPT.
 * Sessions have one load and one generic commit (the engine decides what changes); uploads keep their own.
 */
export const SCRIPTS = {
  fsLoad: session(1, LUA_LOAD),
  fsCommit: session(2, once(LUA_COMMIT)),
  fsDelete: session(1, once(LUA_DELETE)),
  fsUploadPut: upload(LUA_UPLOAD_PUT),
  fsUploadDelete: upload(LUA_UPLOAD_DELETE),
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
