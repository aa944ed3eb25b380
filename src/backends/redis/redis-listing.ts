import type { RedisContext } from './redis-context.js';
import { rebuildIndex, sweepIndex } from './redis-index.js';

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
