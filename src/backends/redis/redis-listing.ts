import { isStorageError } from '../../contract/errors.js';
import type {
  ListSessionsOptions,
  ListSessionsResult,
  SessionInfo,
  StorageStats,
} from '../../contract/storage-backend.js';
import type { RedisContext } from './redis-context.js';
import { pageIndex, rebuildIndex, sweepIndex } from './redis-index.js';
import { sessionInfo } from './redis-sessions.js';
import { publicInfo } from './redis-state.js';
import { listTempUploads } from './redis-upload-transfer.js';

/** Session listing, counting, cleanup and stats: all through the advisory indexes (redis-index.ts). */

async function peek(
  ctx: RedisContext,
  id: string,
): Promise<(SessionInfo & { totalBytes: number }) | undefined> {
  try {
    return await sessionInfo(ctx, id, 'peek');
  } catch (error) {
    if (isStorageError(error, 'SESSION_NOT_FOUND')) return undefined;
    throw error;
  }
}

/** Creation order, opaque cursor; does not slide TTLs. Ids whose keys are gone leave the index on the way. */
export async function listSessions(
  ctx: RedisContext,
  opts: ListSessionsOptions = {},
): Promise<ListSessionsResult> {
  ctx.ensureOpen();
  const page = await pageIndex(ctx, ctx.keys.sessionIndex, opts, (ids) =>
    Promise.all(ids.map((id) => peek(ctx, id))),
  );
  return {
    sessions: page.items.map(publicInfo),
    ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
  };
}

/** Exact: checks every indexed id. */
export async function countSessions(ctx: RedisContext): Promise<number> {
  ctx.ensureOpen();
  return (await sweepIndex(ctx, ctx.keys.sessionIndex, (id) => ctx.keys.state(id))).live;
}

/** Redis expires the keys itself; this drops index entries of sessions and uploads that are gone. */
export async function cleanupExpired(ctx: RedisContext): Promise<number> {
  ctx.ensureOpen();
  const { keys } = ctx;
  const sessionSweep = await sweepIndex(ctx, keys.sessionIndex, (id) => keys.state(id));
  const uploadSweep = await sweepIndex(ctx, keys.uploadIndex, (id) => keys.upload(id));
  return sessionSweep.removed + uploadSweep.removed;
}

/** Recovery for a lost index (SCAN, the only keyspace scan). */
export async function rebuildIndexes(ctx: RedisContext): Promise<{ sessions: number; uploads: number }> {
  ctx.ensureOpen();
  return {
    sessions: await rebuildIndex(ctx, ctx.keys.sessionIndex, 'state'),
    uploads: await rebuildIndex(ctx, ctx.keys.uploadIndex, 'upload'),
  };
}

/** Exact counts and stored bytes (walks both indexes). */
export async function redisStats(ctx: RedisContext): Promise<StorageStats> {
  ctx.ensureOpen();
  let sessions = 0;
  let bytesStored = 0;
  let cursor: string | undefined;
  do {
    const page = await pageIndex(
      ctx,
      ctx.keys.sessionIndex,
      { limit: 1000, ...(cursor ? { cursor } : {}) },
      (ids) => Promise.all(ids.map((id) => peek(ctx, id))),
    );
    sessions += page.items.length;
    for (const info of page.items) bytesStored += info.totalBytes;
    cursor = page.cursor;
  } while (cursor !== undefined);
  let tempUploads = 0;
  do {
    const page = await listTempUploads(ctx, { limit: 1000, ...(cursor ? { cursor } : {}) });
    tempUploads += page.uploads.length;
    for (const upload of page.uploads) for (const sheet of upload.sheets) bytesStored += sheet.bytes;
    cursor = page.cursor;
  } while (cursor !== undefined);
  return {
    backendType: 'redis',
    sessions,
    tempUploads,
    bytesStored,
    cache: ctx.cache.stats,
    mode: ctx.config.redis.mode,
  };
}
