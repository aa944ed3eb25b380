import type { Table } from 'apache-arrow';
import { assertValidId } from '../../contract/ids.js';
import type {
  ActorOptions,
  FrameDiff,
  ReadOptions,
  SessionInfo,
  VersionInfo,
  VersionRef,
} from '../../contract/storage-backend.js';
import { diffTables } from '../../session/frame-diff.js';
import { assertReadOptions, sliceTable } from '../../session/read-options.js';
import {
  assertActorOptions,
  assertVersionNumber,
  assertVersionRef,
  normalizeLabel,
} from '../../session/validate.js';
import type { RedisContext } from './redis-context.js';
import { auditTail } from './redis-input.js';
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
  const name = normalizeLabel(label);
  const guard = ctx.guard(id);
  const reply = (await ctx.script(
    'fsSnapshot',
    [ctx.keys.state(id)],
    [guard, ctx.config.maxVersions, nowIso(), name ?? ''],
    { id },
  )) as unknown[];
  const info = parseSessionReply(id, reply.slice(1));
  ctx.committed(id, info.version);
  ctx.cache.dropFrames(id, reply.at(-1));
  return versionInfo(parseEntry(reply[0]));
}

/** History, oldest first. */
export async function listVersions(ctx: RedisContext, id: string): Promise<VersionInfo[]> {
  assertValidId(id);
  const reply = (await ctx.script('fsInfo', [ctx.keys.state(id)], ['versions', ''], { id })) as unknown[];
  return parseEntryList(replyText(reply[reply.length - 1])).map(versionInfo);
}

/** The current frame (version undefined) or a version the session holds, or the part `opts` asks for. */
export async function readPart(
  ctx: RedisContext,
  id: string,
  version: number | undefined,
  opts: ReadOptions | undefined,
): Promise<Table> {
  assertValidId(id);
  if (version !== undefined) assertVersionNumber(version);
  assertReadOptions(opts);
  const whole = (await readFrame(ctx, id, version)).table;
  return opts === undefined ? whole : sliceTable(whole, opts);
}

export async function diffVersions(
  ctx: RedisContext,
  id: string,
  from: VersionRef,
  to: VersionRef,
): Promise<FrameDiff> {
  assertValidId(id);
  assertVersionRef(from, 'from');
  assertVersionRef(to, 'to');
  const read = async (ref: VersionRef) =>
    (await readFrame(ctx, id, ref === 'current' ? undefined : ref)).table;
  const before = await read(from);
  return diffTables(before, await read(to));
}

async function move(
  ctx: RedisContext,
  id: string,
  mode: 'undo' | 'redo' | 'restore',
  opts: ActorOptions,
  target?: number,
): Promise<SessionInfo> {
  assertActorOptions(opts);
  const guard = ctx.guard(id);
  const at = nowIso();
  const tail = auditTail({
    at,
    operation: mode,
    ...(target !== undefined ? { details: { version: target } } : {}),
    ...(opts.user !== undefined ? { user: opts.user } : {}),
  });
  const reply = await ctx.script(
    'fsMove',
    [ctx.keys.state(id)],
    [mode, guard, ctx.config.maxVersions, at, target ?? '', tail],
    { id },
  );
  const info = parseSessionReply(id, reply);
  ctx.committed(id, info.version);
  ctx.cache.dropFrames(id, (reply as unknown[]).at(-1));
  return publicInfo(info);
}

export function undoLastChange(ctx: RedisContext, id: string, opts: ActorOptions = {}): Promise<SessionInfo> {
  assertValidId(id);
  return move(ctx, id, 'undo', opts);
}

export function redo(ctx: RedisContext, id: string, opts: ActorOptions = {}): Promise<SessionInfo> {
  assertValidId(id);
  return move(ctx, id, 'redo', opts);
}

export function restoreVersion(
  ctx: RedisContext,
  id: string,
  version: number,
  opts: ActorOptions = {},
): Promise<SessionInfo> {
  assertValidId(id);
  assertVersionNumber(version);
  return move(ctx, id, 'restore', opts, version);
}
