import type { Table } from 'apache-arrow';
import { invalidInput } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';
import type { SessionInfo, VersionInfo } from '../../contract/storage-backend.js';
import type { RedisContext } from './redis-context.js';
import { auditTail, checkVersionNumber } from './redis-input.js';
import { readFrame } from './redis-sessions.js';
import {
  parseEntry,
  parseEntryList,
  parseSessionReply,
  publicInfo,
  replyText,
  versionInfo,
} from './redis-state.js';

/** Versions, undo, redo, restore: each one script that only moves frame references (cost independent of size). */

const nowIso = (): string => new Date().toISOString();

export async function createVersion(ctx: RedisContext, id: string, label?: string): Promise<VersionInfo> {
  assertValidId(id);
  if (label !== undefined && (typeof label !== 'string' || label.length > 256)) {
    throw invalidInput('label must be a string of at most 256 characters');
  }
  const guard = ctx.guard(id);
  const reply = (await ctx.script(
    'fsSnapshot',
    [ctx.keys.state(id)],
    [guard, ctx.config.maxVersions, nowIso(), label ?? ''],
    { id },
  )) as unknown[];
  const info = parseSessionReply(id, reply.slice(1));
  ctx.committed(id, info.version);
  return versionInfo(parseEntry(reply[0]));
}

/** History, oldest first. */
export async function listVersions(ctx: RedisContext, id: string): Promise<VersionInfo[]> {
  assertValidId(id);
  const reply = (await ctx.script('fsInfo', [ctx.keys.state(id)], ['versions', ''], { id })) as unknown[];
  return parseEntryList(replyText(reply[reply.length - 1])).map(versionInfo);
}

/** A version's table; the current version is accepted too. */
export async function getVersion(ctx: RedisContext, id: string, version: number): Promise<Table> {
  assertValidId(id);
  return (await readFrame(ctx, id, checkVersionNumber(version))).table;
}

async function move(
  ctx: RedisContext,
  id: string,
  mode: 'undo' | 'redo' | 'restore',
  target?: number,
): Promise<SessionInfo> {
  const guard = ctx.guard(id);
  const at = nowIso();
  const tail = auditTail({
    at,
    operation: mode,
    ...(target !== undefined ? { details: { version: target } } : {}),
  });
  const reply = await ctx.script(
    'fsMove',
    [ctx.keys.state(id)],
    [mode, guard, ctx.config.maxVersions, at, target ?? '', tail],
    { id },
  );
  const info = parseSessionReply(id, reply);
  ctx.committed(id, info.version);
  return publicInfo(info);
}

export function undoLastChange(ctx: RedisContext, id: string): Promise<SessionInfo> {
  assertValidId(id);
  return move(ctx, id, 'undo');
}

export function redo(ctx: RedisContext, id: string): Promise<SessionInfo> {
  assertValidId(id);
  return move(ctx, id, 'redo');
}

export function restoreVersion(ctx: RedisContext, id: string, version: number): Promise<SessionInfo> {
  assertValidId(id);
  return move(ctx, id, 'restore', checkVersionNumber(version));
}
