import type { Table } from 'apache-arrow';
import { corruptData } from '../../contract/errors.js';
import { assertValidId, newId } from '../../contract/ids.js';
import type { ChangeInput, CreateSessionOptions, SessionInfo } from '../../contract/storage-backend.js';
import { assertChange, assertCreateOptions, assertTable, assertTtl } from '../../session/validate.js';
import type { RedisContext } from './redis-context.js';
import {
  decodeStored,
  discardChunks,
  frameFromReply,
  type PreparedFrame,
  prepareFrame,
} from './redis-frames.js';
import { addToIndex, removeFromIndex } from './redis-index.js';
import { auditTail, metadataPairs } from './redis-input.js';
import { type FrameEntry, parseEntry, parseSessionReply, publicInfo } from './redis-state.js';

/** Session lifecycle and the current frame: create, read, update, touch, delete. */

const nowIso = (): string => new Date().toISOString();

/** Encodes a frame for session `id` (chunks, if any, are written under the session's hash tag). */
export function prepareSessionFrame(
  ctx: RedisContext,
  id: string,
  table: Table,
  ttl: number,
): Promise<PreparedFrame> {
  return prepareFrame(ctx, table, ttl, (frameId, chunks) => ctx.keys.frameKeys(id, frameId, chunks));
}

/** Runs a commit script; chunks written for it are removed again when it is refused. */
export async function commitFrame<T>(
  ctx: RedisContext,
  prepared: PreparedFrame,
  commit: () => Promise<T>,
): Promise<T> {
  try {
    return await commit();
  } catch (error) {
    await discardChunks(ctx, prepared.pending);
    throw error;
  }
}

export async function createSession(
  ctx: RedisContext,
  table: Table,
  opts: CreateSessionOptions = {},
): Promise<SessionInfo> {
  ctx.ensureOpen();
  assertTable(table);
  assertCreateOptions(opts);
  const ttl = opts.ttlSeconds ?? ctx.config.sessionTtlSeconds;
  const filename = opts.filename ?? '';
  const meta = opts.metadata === undefined ? [] : metadataPairs(opts.metadata, false);
  const at = nowIso();
  const tail = auditTail({
    at,
    operation: 'upload',
    ...(opts.filename !== undefined ? { details: { filename: opts.filename } } : {}),
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    rowsAfter: table.numRows,
  });
  const id = newId();
  const prepared = await prepareSessionFrame(ctx, id, table, ttl);
  const entry = { ...prepared.entry, at };
  // The index entry goes first: if the create fails, listing drops the dangling id lazily.
  await addToIndex(ctx, ctx.keys.sessionIndex, id);
  const reply = await commitFrame(ctx, prepared, () =>
    ctx.script(
      'fsCreate',
      [ctx.keys.state(id)],
      [
        ttl,
        at,
        JSON.stringify(entry),
        prepared.columns,
        filename,
        tail,
        prepared.inline,
        table.numRows,
        ...meta,
      ],
      { id },
    ),
  );
  return publicInfo(parseSessionReply(id, reply));
}

/** SessionInfo; `mode` peek neither slides the TTL nor checks completeness. */
export async function sessionInfo(
  ctx: RedisContext,
  id: string,
  mode: 'peek' | 'slide' | 'touch' = 'slide',
  ttl?: number,
): Promise<SessionInfo & { totalBytes: number }> {
  assertValidId(id);
  const reply = await ctx.script('fsInfo', [ctx.keys.state(id)], [mode, ttl ?? ''], { id });
  return parseSessionReply(id, reply);
}

export async function getSession(ctx: RedisContext, id: string): Promise<SessionInfo> {
  return publicInfo(await sessionInfo(ctx, id, 'slide'));
}

export async function touchSession(ctx: RedisContext, id: string, ttlSeconds?: number): Promise<SessionInfo> {
  assertValidId(id);
  assertTtl(ttlSeconds);
  const ttl = ttlSeconds;
  return publicInfo(await sessionInfo(ctx, id, 'touch', ttl));
}

export async function sessionExists(ctx: RedisContext, id: string): Promise<boolean> {
  assertValidId(id);
  return (await ctx.command('exists', () => ctx.client.exists(ctx.keys.state(id)))) === 1;
}

export async function deleteSession(ctx: RedisContext, id: string): Promise<boolean> {
  assertValidId(id);
  const guard = ctx.guard(id);
  const deleted = await ctx.script('fsDelete', [ctx.keys.state(id)], [guard], { id });
  ctx.cache.dropSession(id);
  await removeFromIndex(ctx, ctx.keys.sessionIndex, id);
  return deleted === 1;
}

/**
 * One round trip: the script checks the session is whole, slides every TTL and returns the frame bytes
 * (Buffer reply) — or just "cached" when this process already holds that frame decoded. Chunked frames are
 * then fetched chunk by chunk.
 */
export async function readFrame(
  ctx: RedisContext,
  id: string,
  version?: number,
): Promise<{ entry: FrameEntry; table: Table }> {
  assertValidId(id);
  const what = `session ${id}`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // After a failed attempt ask for the bytes: the cached copy may have been evicted meanwhile.
    const hint = attempt === 0 ? ctx.cache.framesOf(id).join(',') : '';
    const reply = (await ctx.script('fsRead', [ctx.keys.state(id)], [version ?? '', hint], {
      id,
      buffers: true,
    })) as unknown[];
    const read = await frameFromReply(ctx, reply, parseEntry, (e) => ctx.keys.frameKeys(id, e.f, e.n), what);
    if (read.kind === 'cached') {
      const table = ctx.cache.get(id, read.entry.f);
      if (table !== undefined) return { entry: read.entry, table };
      continue;
    }
    // missing: a chunk vanished between the script and the GETs — the frame was dropped by a concurrent
    // change (read again) or evicted (still missing after retries).
    if (read.kind === 'missing') continue;
    ctx.cache.countMiss();
    const table = decodeStored(ctx, read.frame, what);
    ctx.cache.set(id, read.entry.f, table);
    return { entry: read.entry, table };
  }
  throw corruptData(`${what}: a chunk of its frame is missing`);
}

export async function getDataFrame(ctx: RedisContext, id: string): Promise<Table> {
  return (await readFrame(ctx, id)).table;
}

export async function updateDataFrame(
  ctx: RedisContext,
  id: string,
  table: Table,
  change: ChangeInput,
): Promise<SessionInfo> {
  assertValidId(id);
  assertTable(table);
  assertChange(change);
  const guard = ctx.guard(id, change.expectedVersion);
  const at = nowIso();
  const tail = auditTail({
    at,
    operation: change.operation,
    ...(change.details !== undefined ? { details: change.details } : {}),
    ...(change.user !== undefined ? { user: change.user } : {}),
    rowsAfter: table.numRows,
  });
  const prepared = await prepareSessionFrame(ctx, id, table, ctx.config.sessionTtlSeconds);
  const entry = { ...prepared.entry, at };
  const reply = await commitFrame(ctx, prepared, () =>
    ctx.script(
      'fsUpdate',
      [ctx.keys.state(id)],
      [
        guard,
        ctx.config.maxVersions,
        at,
        JSON.stringify(entry),
        prepared.columns,
        change.operation,
        tail,
        prepared.inline,
      ],
      { id },
    ),
  );
  const info = parseSessionReply(id, reply);
  ctx.committed(id, info.version);
  ctx.cache.dropFrames(id, (reply as unknown[]).at(-1));
  // Arrow IPC gives back exactly this table, so the next read needs no decode (as on the disk store).
  if (ctx.codec.options.serialization === 'arrow') ctx.cache.set(id, entry.f, table);
  return publicInfo(info);
}
