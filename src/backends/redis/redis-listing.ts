import type { StorageStats } from '../../contract/storage-backend.js';
import { storedBytes } from '../../session/store.js';
import type { RedisContext } from './redis-context.js';
import { rebuildIndex, sweepIndex } from './redis-index.js';
import type { RedisSessionStore } from './redis-store.js';
import type { RedisUploadStore } from './redis-uploads.js';

/** Cleanup, index recovery and stats, through the advisory indexes (redis-index.ts). */

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
export async function redisStats(
  ctx: RedisContext,
  store: RedisSessionStore,
  uploads: RedisUploadStore,
): Promise<StorageStats> {
  ctx.ensureOpen();
  let sessions = 0;
  let bytesStored = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    sessions += page.sessions.length;
    for (const { record } of page.sessions) bytesStored += storedBytes(record);
    cursor = page.cursor;
  } while (cursor !== undefined);
  let tempUploads = 0;
  do {
    const page = await uploads.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    tempUploads += page.uploads.length;
    for (const upload of page.uploads) for (const sheet of upload.sheets) bytesStored += sheet.info.bytes;
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
