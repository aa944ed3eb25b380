import path from 'node:path';
import type { SessionSnapshot } from '../../src/contract/storage-backend.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { diffSnapshots } from '../../src/transfer/snapshot-compare.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';
import { openLocal, testEnv } from '../migration/migration-fixtures.js';
import { openRedis } from '../migration/redis-fixtures.js';

jest.setTimeout(120_000);

let root: string;
let cases = 0;
const cleanups: (() => Promise<unknown>)[] = [];

/** A manager on its own AOF redis-server (kept data across restarts) with a fast breaker. */
async function setup(extra: Record<string, string> = {}) {
  const dir = path.join(root, `case-${++cases}`);
  const server: RedisServerHandle = await startRedisServer({
    appendonly: true,
    dir: await makeTempDir('fs-aof-'),
  });
  cleanups.push(
    () => server.stop(),
    () => removeTempDir(server.dir),
  );
  const env = {
    ...testEnv(dir, server.url),
    REDIS_ENABLED: 'true',
    STORAGE_FALLBACK_TO_MEMORY: 'true',
    CIRCUIT_BREAKER_THRESHOLD: '2',
    CIRCUIT_BREAKER_COOLDOWN_MS: '150',
    REDIS_CONNECT_TIMEOUT_MS: '1000',
    REDIS_COMMAND_TIMEOUT_MS: '1000',
    ...extra,
  };
  const manager = await createDataManager({ env });
  cleanups.push(() => manager.close());
  return { dir, server, manager, env };
}

/** Keeps calling until the breaker has opened and the local store serves (no fixed sleeps). */
const untilFallback = (manager: DataManager) =>
  waitFor(
    async () => {
      await manager.healthCheck();
      return manager.isFallbackActive();
    },
    { timeoutMs: 20_000, message: 'the circuit to open and the local store to serve' },
  );

const untilRecovered = (manager: DataManager) =>
  waitFor(() => manager.getCircuitState() === 'closed' && manager.getWriteBackBacklog().length === 0, {
    timeoutMs: 30_000,
    intervalMs: 50,
    message: 'redis to be back and the write-back journal empty',
  });

beforeAll(async () => {
  root = await makeTempDir('fs-outage-');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(() => removeTempDir(root));

describe('circuit breaker and write-back', () => {
  test('Redis stops under a running manager: uploads and edits keep working; all of them reach Redis after', async () => {
    const { dir, server, manager } = await setup();
    const { sessionId: before } = await manager.createSession(makeSmallTable(3));
    expect((await manager.healthCheck()).checks.circuit_breaker).toEqual({
      status: 'healthy',
      message: 'closed',
    });

    await server.stop();
    await untilFallback(manager);
    expect(manager.getBackendType()).toBe('inmemory');
    const degraded = await manager.healthCheck();
    expect(degraded.status).toBe('degraded');
    expect(degraded.backendType).toBe('inmemory');
    expect(degraded.checks.fallback?.status).toBe('degraded');
    expect(['open', 'half-open']).toContain(degraded.checks.circuit_breaker?.message);
    // Sessions that live in Redis cannot be served now: 503, not a misleading 404.
    await expect(manager.getSession(before)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });

    const created: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { sessionId } = await manager.createSession(makeSmallTable(2 + i), {
        filename: `outage-${i}.csv`,
      });
      await manager.updateDataFrame(sessionId, makeSmallTable(8), { operation: 'edit_1' });
      await manager.updateDataFrame(sessionId, makeSmallTable(9), { operation: 'edit_2' });
      await manager.undoLastChange(sessionId);
      await manager.markIntentionalMissing(sessionId, { row: 0, column: 'name', reason: 'outage' });
      await manager.updateMetadata(sessionId, { during: 'outage' });
      created.push(sessionId);
    }
    const upload = await manager.storeTempSheets({ s1: makeSmallTable(2), s2: makeSmallTable(4) });
    const snapshots = new Map<string, SessionSnapshot>();
    for (const id of created) snapshots.set(id, await manager.exportSession(id));
    const pending = await manager.healthCheck();
    expect(pending.checks.write_back).toEqual({
      status: 'degraded',
      message: '4 sessions pending, 1 uploads pending',
    });

    await server.restart();
    await untilRecovered(manager);
    const healthy = await manager.healthCheck();
    expect(healthy).toMatchObject({ status: 'healthy', backendType: 'redis' });
    expect(healthy.checks.write_back).toEqual({ status: 'healthy', message: '0 sessions pending' });
    expect(manager.isFallbackActive()).toBe(false);
    expect(manager.getBackendType()).toBe('redis');

    const redis = await openRedis(server.url, dir);
    const local = await openLocal(dir);
    try {
      for (const id of created) {
        expect({ id, diff: diffSnapshots(snapshots.get(id)!, await redis.exportSession(id)) }).toEqual({
          id,
          diff: [],
        });
        expect(await local.sessionExists(id)).toBe(false);
      }
      expect((await redis.listVersions(created[0]!)).length).toBe(1);
      expect((await redis.getSession(created[0]!)).canRedo).toBe(true);
      assertTablesEqual(await redis.getTempSheet(upload.uploadId, 's2'), makeSmallTable(4));
      expect(await redis.sessionExists(before)).toBe(true);
    } finally {
      await Promise.all([redis.close(), local.close()]);
    }
    expect((await manager.getAuditLog(created[1]!)).map((e) => e.operation)).toEqual([
      'upload',
      'edit_1',
      'edit_2',
      'undo',
    ]);
  });

  test('a session changed on both sides: Redis stays current, the local copy becomes a version, audit says conflict', async () => {
    const { dir, server, manager } = await setup();
    const { sessionId: id } = await manager.createSession(makeSmallTable(3));
    // A stale local copy, as an earlier `migrate` without --delete-source leaves behind.
    const redis = await openRedis(server.url, dir);
    const local = await openLocal(dir);
    await local.importSession(await redis.exportSession(id));
    await Promise.all([redis.close(), local.close()]);
    await manager.updateDataFrame(id, makeSmallTable(5), { operation: 'edit_in_redis' });

    await server.stop();
    await untilFallback(manager);
    await manager.updateDataFrame(id, makeSmallTable(7), { operation: 'edit_during_outage', user: 'dana' });
    await server.restart();
    await untilRecovered(manager);

    assertTablesEqual(await manager.getDataFrame(id), makeSmallTable(5));
    const versions = await manager.listVersions(id);
    const attached = versions.at(-1)!;
    expect(attached).toMatchObject({ operation: 'conflict', rows: 7 });
    assertTablesEqual(await manager.getVersion(id, attached.version), makeSmallTable(7));
    const audit = await manager.getAuditLog(id);
    expect(audit.map((entry) => entry.operation)).toEqual(['upload', 'edit_in_redis', 'conflict']);
    const details = audit.at(-1)!.details as {
      source: string;
      otherAuditSinceDivergence: { operation: string }[];
    };
    expect(details.source).toBe('inmemory');
    expect(details.otherAuditSinceDivergence.map((entry) => entry.operation)).toEqual(['edit_during_outage']);
    // One undo brings the outage edit back as the current frame.
    await manager.undoLastChange(id);
    assertTablesEqual(await manager.getDataFrame(id), makeSmallTable(7));
  });

  test('Redis down at startup: fallback, then the same recovery path once it is reachable', async () => {
    const dir = path.join(root, `case-${++cases}`);
    const server = await startRedisServer({ appendonly: true, dir: await makeTempDir('fs-aof-') });
    cleanups.push(
      () => server.stop(),
      () => removeTempDir(server.dir),
    );
    await server.kill('SIGKILL');
    const manager = await createDataManager({
      env: {
        ...testEnv(dir, server.url),
        REDIS_ENABLED: 'true',
        CIRCUIT_BREAKER_COOLDOWN_MS: '150',
        REDIS_CONNECT_TIMEOUT_MS: '500',
      },
    });
    cleanups.push(() => manager.close());
    expect(manager.isFallbackActive()).toBe(true);
    expect(manager.getFallbackReason()).toContain('unreachable');
    const { sessionId } = await manager.createSession(makeSmallTable(4));
    await manager.updateDataFrame(sessionId, makeSmallTable(6), { operation: 'while_down' });

    await server.restart();
    await untilRecovered(manager);
    expect(manager.getBackendType()).toBe('redis');
    expect((await manager.healthCheck()).status).toBe('healthy');
    const redis = await openRedis(server.url, dir);
    try {
      expect((await redis.getSession(sessionId)).version).toBe(2);
    } finally {
      await redis.close();
    }
  });

  test('without fallback an open circuit fails fast with BACKEND_UNAVAILABLE and health is unhealthy', async () => {
    const { server, manager } = await setup({ STORAGE_FALLBACK_TO_MEMORY: 'false' });
    await server.stop();
    await waitFor(
      async () => {
        await manager.healthCheck();
        return manager.getCircuitState() !== 'closed';
      },
      { timeoutMs: 20_000, message: 'the circuit to open' },
    );
    const started = performance.now();
    await expect(manager.createSession(makeSmallTable(2))).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(manager.isFallbackActive()).toBe(false);
    expect((await manager.healthCheck()).status).toBe('unhealthy');
    await server.restart();
    await waitFor(() => manager.getCircuitState() === 'closed', {
      timeoutMs: 30_000,
      message: 'circuit closed',
    });
    await manager.createSession(makeSmallTable(2));
  });
});
