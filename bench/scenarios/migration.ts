import fs from 'node:fs/promises';
import path from 'node:path';
import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { runMigration } from '../../src/transfer/migration-runner.js';
import { makeRealisticTable } from '../../tests/helpers/tables.js';

export interface MigrationBenchOptions {
  sessions: number;
  rows: number;
  /** Updates after the upload, so each session holds `versions` history entries plus its current frame. */
  versions: number;
  redisUrl: string;
  /** A scratch folder; the bench uses its own subfolder and key prefix, so other scenarios' data is untouched. */
  storageDir: string;
}

export interface MigrationBenchResult {
  sessions: number;
  seconds: number;
  sessionsPerSec: number;
  mbPerSec: number;
  bytes: number;
}

/**
 * Migration throughput inmemory -> redis (§8, issue 5 item 8): fills a local store with `sessions` sessions of
 * rows×50 with `versions` versions each, then times `runMigration` (verified copies, default concurrency).
 */
export async function benchMigration(opts: MigrationBenchOptions): Promise<MigrationBenchResult> {
  const dir = path.join(opts.storageDir, `migration-${process.pid}-${Date.now()}`);
  const config = loadConfig({
    STORAGE_DIR: dir,
    REDIS_URL: opts.redisUrl,
    REDIS_KEY_PREFIX: `benchmigration${Date.now()}:`,
    MAX_VERSIONS: String(Math.max(5, opts.versions)),
    MEMORY_CACHE_MAX_MB: '64',
  });
  // One distinct table per version, shared by all sessions: generating 200×6 tables would dominate the setup.
  const tables = Array.from({ length: opts.versions + 1 }, (_, i) =>
    makeRealisticTable(opts.rows, 50, 100 + i),
  );
  let local: StorageBackend | undefined;
  let redis: StorageBackend | undefined;
  try {
    local = await InMemoryBackend.open(config, { sweepIntervalMs: 0 });
    redis = await RedisBackend.connect(config);
    for (let s = 0; s < opts.sessions; s++) {
      const { sessionId } = await local.createSession(tables[0]!, { filename: `bench-${s}.csv` });
      for (let v = 1; v <= opts.versions; v++) {
        await local.updateDataFrame(sessionId, tables[v]!, { operation: `edit-${v}` });
      }
    }
    const summary = await runMigration({ from: local, to: redis });
    if (summary.failed.length > 0) {
      throw new Error(
        `migration bench: ${summary.failed.length} items failed, first: ${summary.failed[0]?.message}`,
      );
    }
    const seconds = summary.seconds;
    return {
      sessions: summary.moved,
      seconds,
      sessionsPerSec: summary.moved / seconds,
      mbPerSec: summary.bytes / 1024 / 1024 / seconds,
      bytes: summary.bytes,
    };
  } finally {
    await Promise.allSettled([local?.close(), redis?.close()]);
    await fs.rm(dir, { recursive: true, force: true });
  }
}
