import type { SessionSnapshot } from '../../src/contract/storage-backend.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { WriteBackJournal } from '../../src/manager/write-back-journal.js';
import { diffSnapshots } from '../../src/transfer/snapshot-compare.js';
import { capturingLogger, rawClient } from '../helpers/redis-harness.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';
import { openLocal, testEnv } from '../migration/migration-fixtures.js';
import { openRedis } from '../migration/redis-fixtures.js';

jest.setTimeout(60_000);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('write-back after a brief Redis failure', () => {
  test('a pass that fails once without opening the circuit is retried until the journal is empty', async () => {
    const dir = await makeTempDir('fs-wb-retry-');
    cleanups.push(() => removeTempDir(dir));
    // What a process that served locally during an outage leaves behind: local sessions plus journal entries.
    const local = await openLocal(dir);
    const journal = await WriteBackJournal.open(dir);
    const snapshots = new Map<string, SessionSnapshot>();
    for (let i = 0; i < 3; i++) {
      const { sessionId } = await local.createSession(makeSmallTable(3 + i), { filename: `wb-${i}.csv` });
      await local.updateDataFrame(sessionId, makeSmallTable(6), { operation: 'edit_while_out' });
      await local.markIntentionalMissing(sessionId, { row: 0, column: 'name', reason: 'outage' });
      await local.updateMetadata(sessionId, { during: 'outage' });
      await journal.add('session', sessionId);
      snapshots.set(sessionId, await local.exportSession(sessionId));
    }
    await local.close();

    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    const admin = rawClient(server);
    cleanups.push(async () => admin.disconnect());
    // A real, transient Redis failure: every write is refused (OOM) while reads and PING still answer.
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');

    const { logger, lines } = capturingLogger();
    const manager = await createDataManager({
      env: {
        ...testEnv(dir, server.url),
        REDIS_ENABLED: 'true',
        STORAGE_FALLBACK_TO_MEMORY: 'true',
        // High enough that the failed pass never opens the circuit: only the retry can finish the job.
        CIRCUIT_BREAKER_THRESHOLD: '100',
        CIRCUIT_BREAKER_COOLDOWN_MS: '2000',
        REDIS_COMMAND_TIMEOUT_MS: '1000',
      },
      logger,
    });
    cleanups.push(() => manager.close());
    expect(manager.getBackendType()).toBe('redis');

    await waitFor(() => lines.some((line) => line.includes('write-back: will retry')), {
      timeoutMs: 10_000,
      message: 'the first write-back attempt to fail',
    });
    expect(manager.getWriteBackBacklog()).toHaveLength(3);
    expect(manager.getCircuitState()).toBe('closed');

    await admin.config('SET', 'maxmemory', '0');
    await waitFor(() => manager.getWriteBackBacklog().length === 0, {
      timeoutMs: 15_000,
      message: 'the write-back journal to drain after the failure',
    });

    expect(lines.some((line) => line.includes('redis circuit open'))).toBe(false);
    expect(manager.getCircuitState()).toBe('closed');
    const health = await manager.healthCheck();
    expect(health.status).toBe('healthy');
    expect(health.checks.write_back).toEqual({ status: 'healthy', message: '0 sessions pending' });

    const redis = await openRedis(server.url, dir);
    const localAfter = await openLocal(dir);
    try {
      for (const [id, snapshot] of snapshots) {
        expect({ id, diff: diffSnapshots(snapshot, await redis.exportSession(id)) }).toEqual({
          id,
          diff: [],
        });
        expect(await localAfter.sessionExists(id)).toBe(false);
      }
    } finally {
      await Promise.all([redis.close(), localAfter.close()]);
    }
  });
});
