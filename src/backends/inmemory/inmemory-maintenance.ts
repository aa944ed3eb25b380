import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LruStats } from '../../cache/byte-lru.js';
import type { HealthCheckResult, HealthReport } from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import { referencedFrames } from '../../session/store.js';
import { checkDisk, type StatFsFn } from './inmemory-disk.js';
import { listNames, removeFileQuietSync, removeTree, TEMP_PREFIX } from './inmemory-files.js';
import { listIds } from './inmemory-listing.js';
import { referencedBlobs, type SessionState, toRecord } from './inmemory-state.js';
import type { DiskSessionStore } from './inmemory-store.js';
import type { DiskUploadStore } from './inmemory-uploads.js';

const noWait = { leaf: true, retryCount: 0 };
const isBusy = (error: unknown): boolean => (error as { code?: string }).code === 'LOCK_TIMEOUT';

/**
 * Removes expired sessions and uploads (returns how many), plus what crashes leave behind: folders that
 * never got a state, temp files, files no state points at, and the trash. Busy sessions are skipped.
 */
export async function cleanupExpired(
  sessions: DiskSessionStore,
  uploads: DiskUploadStore,
  logger: Logger,
): Promise<number> {
  const removed = (await sweepSessions(sessions, logger)) + (await sweepUploads(uploads, logger));
  await emptyTrash(sessions.layout.trashDir);
  return removed;
}

async function sweepSessions(store: DiskSessionStore, logger: Logger): Promise<number> {
  let removed = 0;
  for (const id of await listIds(store.layout.sessionsDir)) {
    try {
      let state: SessionState | undefined;
      try {
        state = store.loadState(id);
      } catch {
        continue; // corrupt sessions are kept for inspection, never deleted by a sweep
      }
      if (state !== undefined && store.expiresAtMs(id, state) <= Date.now()) {
        if (await store.expire(id)) removed += 1;
      } else if (state === undefined || (await strays(store, id, state)).length > 0) {
        // Seen without the lock; rechecked under it, where nothing can be mid-write.
        const target = store.layout.lockTarget('session', id);
        await store.locks.run(target, () => collectStrays(store, id), noWait);
      }
    } catch (error) {
      if (!isBusy(error)) logger.warn({ err: error, sessionId: id }, 'sweep failed for a session');
    }
  }
  return removed;
}

async function sweepUploads(uploads: DiskUploadStore, logger: Logger): Promise<number> {
  let removed = 0;
  for (const id of await listIds(uploads.layout.uploadsDir)) {
    try {
      const manifest = uploads.manifest(id);
      if (manifest === undefined) {
        // A store that crashed before its manifest: remove unless it is still being written.
        const target = uploads.layout.lockTarget('upload', id);
        await uploads.locks.run(
          target,
          async () => uploads.manifest(id) === undefined && uploads.removeFolder(id),
          noWait,
        );
      } else if (Date.parse(manifest.expiresAt) <= Date.now() && (await uploads.expire(id))) {
        removed += 1;
      }
    } catch (error) {
      if (!isBusy(error)) logger.warn({ err: error, uploadId: id }, 'sweep failed for an upload');
    }
  }
  return removed;
}

/** Files in a session folder that its state does not name (temp files, unreferenced frames and blobs). */
async function strays(store: DiskSessionStore, id: string, state: SessionState): Promise<string[]> {
  const dir = store.layout.sessionDir(id);
  const keepBlobs = referencedBlobs(state);
  const found: string[] = [];
  for (const name of await listNames(dir)) {
    const blob = name.startsWith('audit-') || name.startsWith('marks-') || name.startsWith('manifest-');
    if (name.startsWith(TEMP_PREFIX) || (blob && !keepBlobs.has(name))) found.push(path.join(dir, name));
  }
  const keepFrames = referencedFrames(toRecord(state));
  const framesDir = store.layout.framesDir(id);
  for (const name of await listNames(framesDir)) {
    if (!keepFrames.has(name.replace(/\.fsf$/, ''))) found.push(path.join(framesDir, name));
  }
  return found;
}

/** Under the session lock: nothing is mid-write, so every file the state does not name is garbage. */
async function collectStrays(store: DiskSessionStore, id: string): Promise<void> {
  const state = store.loadState(id);
  if (state === undefined) {
    await removeTree(store.layout.sessionDir(id), store.layout.trashDir); // a creation that crashed pre-commit
    return;
  }
  for (const file of await strays(store, id, state)) removeFileQuietSync(file);
}

async function emptyTrash(trashDir: string): Promise<void> {
  for (const name of await listNames(trashDir)) {
    await fsp.rm(path.join(trashDir, name), { recursive: true, force: true });
  }
}

/** STORAGE_DIR is usable: write + fsync + delete a probe file, timed. */
export function probeStorageDir(root: string): HealthCheckResult {
  const started = performance.now();
  const probe = path.join(root, `.health-${randomBytes(6).toString('hex')}`);
  try {
    const fd = fs.openSync(probe, 'wx');
    try {
      fs.writeSync(fd, 'ok');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(probe);
    return { status: 'healthy', latency_ms: Math.round((performance.now() - started) * 1000) / 1000 };
  } catch (error) {
    removeFileQuietSync(probe);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const full = code === 'ENOSPC' || code === 'EDQUOT' ? ': the disk is full' : '';
    return { status: 'unhealthy', message: `STORAGE_DIR is not writable (${code})${full}` };
  }
}

/** Health of the store: STORAGE_DIR writable (probe), free space and inodes there, and the cache's fill. */
export async function health(
  store: DiskSessionStore,
  cache: LruStats,
  statfs?: StatFsFn,
): Promise<Omit<HealthReport, 'backendType'>> {
  const started = performance.now();
  const storage = probeStorageDir(store.layout.root);
  const disk = checkDisk(store.layout.root, statfs);
  const activeSessions = storage.status === 'healthy' ? await store.count() : 0;
  const rank = { healthy: 0, degraded: 1, unhealthy: 2 } as const;
  return {
    status: rank[disk.status] > rank[storage.status] ? disk.status : storage.status,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    checks: {
      storage_dir: storage,
      disk,
      cache: {
        status: 'healthy',
        message: `${cache.entries} tables, ${cache.bytes}/${cache.maxBytes} bytes`,
      },
    },
    activeSessions,
  };
}
