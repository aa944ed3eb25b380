import path from 'node:path';
import request from 'supertest';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { testEnv } from '../migration/migration-fixtures.js';

jest.setTimeout(60_000);

let root: string;
let server: RedisServerHandle;
let proxy: FaultProxy;
let manager: DataManager;
let app: ReturnType<typeof createApp>;

/**
 * A Redis-first manager reaching Redis through the fault proxy, with a 1 s command timeout: 300 ms each way
 * (600 ms per round trip) is slow, yet every command answers in time.
 */
beforeAll(async () => {
  root = await makeTempDir('fs-health-latency-');
  server = await startRedisServer();
  proxy = await startFaultProxy(server.port);
  manager = await createDataManager({
    env: {
      ...testEnv(path.join(root, 'store'), proxy.url),
      REDIS_ENABLED: 'true',
      REDIS_COMMAND_TIMEOUT_MS: '1000',
    },
  });
  app = createApp(manager);
});
afterEach(() => proxy.setLatency(0));
afterAll(async () => {
  (app.locals.framestore as AppLocals).dispose();
  await manager.close();
  await proxy.close();
  await server.stop();
  await removeTempDir(root);
});

describe('/health/storage tells slow from down', () => {
  test('fast Redis: healthy, 200', async () => {
    const res = await request(app).get('/health/storage');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'healthy', backend_type: 'redis' });
  });

  test('300 ms of added latency while every write succeeds: degraded (200), ping says how slow', async () => {
    proxy.setLatency(300);
    const { sessionId } = await manager.createSession(makeSmallTable(3));
    await manager.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'slow_edit' });
    const started = performance.now();
    const res = await request(app).get('/health/storage');
    const tookMs = performance.now() - started;
    console.log(`health under 300 ms proxy latency: ${res.body.status} in ${tookMs.toFixed(0)} ms`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'degraded', backend_type: 'redis', fallback_active: false });
    expect(res.body.checks.ping.status).toBe('degraded');
    expect(res.body.checks.ping.latency_ms).toBeGreaterThan(250);
    expect(res.body.checks.ping.message).toMatch(/PING took \d+/);
    // One round trip (PING, INFO, CONFIG and ZCARD pipelined), well inside the 1 s probe budget.
    expect(res.body.redis_info).toMatchObject({ maxmemory_policy: expect.any(String) });
    expect(res.body.redis_info).toMatchObject({ connected: true });
    // The slow moment did not open the circuit: writes still go to Redis.
    expect(manager.getCircuitState()).toBe('closed');
    expect((await manager.getSession(sessionId)).rows).toBe(4);
  });

  test('Redis that answers nothing (black hole) within REDIS_COMMAND_TIMEOUT_MS: unhealthy, 503', async () => {
    const quick = await createDataManager({
      env: {
        ...testEnv(path.join(root, 'quick'), proxy.url),
        STORAGE_BACKEND: 'redis',
        STORAGE_FALLBACK_TO_MEMORY: 'false',
        REDIS_COMMAND_TIMEOUT_MS: '500',
      },
    });
    const quickApp = createApp(quick, { readyTimeoutMs: 3000 });
    try {
      proxy.setBlackhole(true);
      const res = await request(quickApp).get('/health/storage');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unhealthy');
    } finally {
      proxy.setBlackhole(false);
      (quickApp.locals.framestore as AppLocals).dispose();
      await quick.close();
    }
  });
});
