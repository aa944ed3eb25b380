import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { isStorageError } from '../../src/contract/errors.js';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { freePort, type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';

const PASSWORD = 'Wr0ng-S3cret-pa55';

describe('health when Redis is unreachable at start', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'framestore-fallback-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('with fallback: serves from the embedded store and reports degraded (200), fallback gauge 1', async () => {
    const port = await freePort();
    const manager = await createDataManager({
      env: {
        REDIS_ENABLED: 'true',
        REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}/0`,
        REDIS_CONNECT_TIMEOUT_MS: '1000',
        STORAGE_DIR: tempDir(),
      },
      logger: silentLogger,
    });
    const app = createApp(manager);
    try {
      const res = await request(app).get('/health/storage');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'degraded',
        backend_type: 'inmemory',
        redis_enabled: true,
        fallback_active: true,
        sessions: { active: 0 },
      });
      expect(res.text).not.toContain(PASSWORD);
      expect((await request(app).get('/health/ready')).status).toBe(200);
      const created = await request(app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n');
      expect(created.status).toBe(201);
      expect((await request(app).get('/')).body).toMatchObject({
        backend_type: 'inmemory',
        active_sessions: 1,
      });
      expect((await request(app).get('/metrics')).text).toMatch(/framestore_fallback_active 1/);
    } finally {
      (app.locals.framestore as AppLocals).dispose();
      await manager.close();
    }
  });

  it('without fallback: createDataManager fails with BACKEND_UNAVAILABLE, password not in the message', async () => {
    const port = await freePort();
    const failure = await createDataManager({
      env: {
        REDIS_ENABLED: 'true',
        STORAGE_FALLBACK_TO_MEMORY: 'false',
        REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}/0`,
        REDIS_CONNECT_TIMEOUT_MS: '1000',
        STORAGE_DIR: tempDir(),
      },
      logger: silentLogger,
    }).catch((error: unknown) => error);
    expect(isStorageError(failure, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(String((failure as Error).message)).not.toContain(PASSWORD);
  });
});

describe('health when Redis goes away under a running app (no fallback)', () => {
  let redis: RedisServerHandle;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'framestore-ready-'));
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/health/ready and /health/storage answer 503 unhealthy', async () => {
    const manager = await createDataManager({
      env: {
        STORAGE_BACKEND: 'redis',
        STORAGE_FALLBACK_TO_MEMORY: 'false',
        REDIS_URL: redis.url,
        REDIS_CONNECT_TIMEOUT_MS: '500',
        REDIS_COMMAND_TIMEOUT_MS: '500',
        STORAGE_DIR: dir,
      },
      logger: silentLogger,
    });
    const app = createApp(manager, { readyTimeoutMs: 1500 });
    try {
      expect((await request(app).get('/health/ready')).status).toBe(200);
      await redis.kill('SIGKILL');
      const ready = await request(app).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not_ready', storage: 'unhealthy' });
      const storage = await request(app).get('/health/storage');
      expect(storage.status).toBe(503);
      expect(storage.body).toMatchObject({
        status: 'unhealthy',
        backend_type: 'redis',
        fallback_active: false,
      });
      expect((await request(app).get('/health/live')).status).toBe(200);
      const data = await request(app).get('/sessions');
      expect(data.status).toBe(503);
      expect(data.body.error.code).toBe('BACKEND_UNAVAILABLE');
    } finally {
      (app.locals.framestore as AppLocals).dispose();
      await manager.close();
    }
  });
});
