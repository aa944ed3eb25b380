import path from 'node:path';
import request from 'supertest';
import type { BackendType, StorageBackend } from '../../src/contract/storage-backend.js';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { RedisLink } from '../../src/manager/redis-link.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { openLocal, testEnv } from '../migration/migration-fixtures.js';
import { openRedis } from '../migration/redis-fixtures.js';

jest.setTimeout(60_000);

/** Issue 10 target with default settings: writes and health back within 2 s of Redis answering again. */
const TARGET_MS = 2000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let root: string;
let server: RedisServerHandle;

beforeAll(async () => {
  root = await makeTempDir('fs-fast-recovery-');
  server = await startRedisServer({ appendonly: true, dir: await makeTempDir('fs-aof-') });
});
afterAll(async () => {
  await server.stop();
  await removeTempDir(server.dir);
  await removeTempDir(root);
});

test('kill -9 of a standalone Redis: writes go local, then back to Redis and health is healthy within 2 s of its return', async () => {
  const dir = path.join(root, 'manager');
  // Default breaker settings (threshold 5, cooldown 30 s): only the fallback and the URL are set.
  const manager = await createDataManager({
    env: {
      ...testEnv(dir, server.url),
      REDIS_ENABLED: 'true',
      STORAGE_FALLBACK_TO_MEMORY: 'true',
      LOG_LEVEL: process.env.FS_LOG ?? 'silent',
    },
  });
  const app = createApp(manager);
  const lastServed: { backend?: BackendType } = {};
  manager.addObserver({
    onOperation: (event) => {
      if (event.error === undefined) lastServed.backend = event.backend;
    },
  });
  /**
   * One write (an upload, or an edit of `editId`); which store took it, or 'failed' (the calls that open the
   * circuit answer 503).
   */
  const write = async (editId?: string): Promise<{ where: BackendType | 'failed'; id?: string }> => {
    lastServed.backend = undefined;
    try {
      const { sessionId } =
        editId === undefined
          ? await manager.createSession(makeSmallTable(2))
          : await manager.updateDataFrame(editId, makeSmallTable(6), { operation: 'edit' });
      return { where: lastServed.backend ?? 'failed', id: sessionId };
    } catch (error) {
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      return { where: 'failed' };
    }
  };
  try {
    expect((await write()).where).toBe('redis');
    await server.kill('SIGKILL');

    // Writes during the outage: the first few fail until the breaker opens, then the local store takes them.
    const outage: string[] = [];
    for (let attempt = 0; attempt < 200 && outage.length < 3; attempt++) {
      const result = await write();
      if (result.where === 'inmemory') outage.push(result.id!);
      else expect(result.where).toBe('failed');
      await pause(10);
    }
    expect(outage).toHaveLength(3);
    const { sessionId: edited } = { sessionId: outage[0]! };
    await manager.updateDataFrame(edited, makeSmallTable(5), { operation: 'during_outage' });
    expect((await request(app).get('/health/storage')).body.status).toBe('degraded');

    await server.restart();
    const back = performance.now();
    // The user keeps editing an outage session: served locally while the circuit is open, then (written back
    // first) on Redis. Edits, not uploads, so the loop does not grow the write-back backlog it waits for.
    const editId = outage[1]!;
    let writeMs: number | undefined;
    for (let attempt = 0; attempt < 400 && writeMs === undefined; attempt++) {
      if ((await write(editId)).where === 'redis') writeMs = performance.now() - back;
      else await pause(10);
    }
    let healthyMs: number | undefined;
    let lastHealth: unknown;
    for (let attempt = 0; attempt < 400 && healthyMs === undefined; attempt++) {
      const res = await request(app).get('/health/storage');
      lastHealth = res.body;
      if (res.status === 200 && res.body.status === 'healthy') healthyMs = performance.now() - back;
      else await pause(10);
    }
    console.log(
      `fast recovery (standalone, kill -9, default settings): first write on Redis ${writeMs?.toFixed(0)} ms, ` +
        `/health/storage healthy ${healthyMs?.toFixed(0)} ms after Redis answered again`,
    );
    expect(writeMs).toBeDefined();
    expect(writeMs!).toBeLessThanOrEqual(TARGET_MS);
    expect({ healthyMs, lastHealth }).toEqual({
      healthyMs: expect.any(Number),
      lastHealth: expect.anything(),
    });
    expect(healthyMs!).toBeLessThanOrEqual(TARGET_MS);
    expect(manager.getWriteBackBacklog()).toEqual([]);

    // The outage writes were written back to Redis and left the local store.
    const redis = await openRedis(server.url, dir);
    const local = await openLocal(dir);
    try {
      for (const id of outage)
        expect({ id, there: await redis.sessionExists(id) }).toEqual({ id, there: true });
      expect((await redis.getSession(edited)).rows).toBe(5);
      expect((await redis.getSession(editId)).rows).toBe(6);
      for (const id of outage) expect(await local.sessionExists(id)).toBe(false);
    } finally {
      await Promise.all([redis.close(), local.close()]);
    }
  } finally {
    (app.locals.framestore as AppLocals).dispose();
    await manager.close();
  }
});

test('RedisLink passes reconnects of the backend it holds (and of one it connects later) to its listeners, until closed', async () => {
  const listeners = new Set<() => void>();
  const fakeRedis = {
    backendType: 'redis',
    onReconnect: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => undefined,
  } as unknown as StorageBackend;
  let heard = 0;
  const held = new RedisLink(async () => fakeRedis, 1000, fakeRedis);
  held.onReconnect(() => {
    heard += 1;
  });
  for (const listener of listeners) listener();
  expect(heard).toBe(1);
  await held.close();
  expect(listeners.size).toBe(0);

  const later = new RedisLink(async () => fakeRedis, 1000);
  later.onReconnect(() => {
    heard += 1;
  });
  expect(listeners.size).toBe(0);
  await later.connect();
  for (const listener of listeners) listener();
  expect(heard).toBe(2);
  await later.close();
  expect(listeners.size).toBe(0);
  // A backend without the hook (the embedded store) is simply not watched.
  const plain = new RedisLink(
    async () => ({ close: async () => undefined }) as unknown as StorageBackend,
    1000,
  );
  await plain.connect();
  await plain.close();
});
