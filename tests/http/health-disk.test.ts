import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { checkDisk, DISK_THRESHOLDS, type StatFs } from '../../src/backends/inmemory/inmemory-disk.js';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { testEnv } from '../migration/migration-fixtures.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** A statfs answer: `freeBytes` available of `totalBytes`, and inodes. */
const disk = (freeBytes: number, totalBytes: number, ffree = 1_000_000, files = 2_000_000): StatFs => ({
  bsize: 4096,
  blocks: Math.floor(totalBytes / 4096),
  bavail: Math.floor(freeBytes / 4096),
  files,
  ffree,
});
const statusOf = (stats: StatFs) => checkDisk('/data', () => stats).status;

describe('checkDisk (free space and inodes under STORAGE_DIR)', () => {
  test('thresholds: degraded below 512 MiB or 5 % free, unhealthy below 64 MiB', () => {
    expect(DISK_THRESHOLDS).toMatchObject({ degradedFreeBytes: 512 * MIB, unhealthyFreeBytes: 64 * MIB });
    expect(statusOf(disk(50 * GIB, 100 * GIB))).toBe('healthy');
    expect(statusOf(disk(600 * MIB, 2 * GIB))).toBe('healthy');
    expect(statusOf(disk(400 * MIB, 2 * GIB))).toBe('degraded');
    expect(statusOf(disk(4 * GIB, 100 * GIB))).toBe('degraded'); // 4 %
    expect(statusOf(disk(63 * MIB, 2 * GIB))).toBe('unhealthy');
    // The case: 576 KB left while uploads failed, and health said healthy.
    const nearlyFull = checkDisk('/data', () => disk(576 * 1024, 20 * GIB));
    expect(nearlyFull).toEqual({
      status: 'unhealthy',
      message: expect.stringMatching(
        /^0 MiB free of 20480 MiB \(0\.0 %\), 1000000 inodes free .*about to fail$/,
      ),
    });
  });

  test('inodes: degraded below 10,000 or 5 % free, unhealthy below 1,000; a filesystem without an inode table is not graded', () => {
    expect(statusOf(disk(50 * GIB, 100 * GIB, 20_000, 1_000_000))).toBe('degraded'); // 2 %
    expect(statusOf(disk(50 * GIB, 100 * GIB, 9_000, 100_000))).toBe('degraded');
    expect(statusOf(disk(50 * GIB, 100 * GIB, 999, 1_000_000))).toBe('unhealthy');
    expect(statusOf(disk(50 * GIB, 100 * GIB, 0, 0))).toBe('healthy');
    // The worse of space and inodes wins.
    expect(statusOf(disk(400 * MIB, 2 * GIB, 500, 1_000_000))).toBe('unhealthy');
  });

  test('statfs failing is reported, not thrown', () => {
    const failing = () => {
      throw Object.assign(new Error('ENOSYS: function not implemented, statfs'), { code: 'ENOSYS' });
    };
    expect(checkDisk('/data', failing)).toEqual({
      status: 'degraded',
      message: 'free space under STORAGE_DIR unknown (statfs ENOSYS)',
    });
  });

  test('the real disk under a temp dir is measured', async () => {
    const dir = await makeTempDir('fs-disk-');
    try {
      const real = checkDisk(dir);
      expect(real.message).toMatch(/^\d+ MiB free of \d+ MiB/);
    } finally {
      await removeTempDir(dir);
    }
  });
});

describe('the embedded store reports its disk', () => {
  let root: string;
  let manager: DataManager;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    root = await makeTempDir('fs-health-disk-');
    manager = await createDataManager({
      env: { ...testEnv(path.join(root, 'store')), STORAGE_BACKEND: 'inmemory' },
    });
    app = createApp(manager);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    (app.locals.framestore as AppLocals).dispose();
    await manager.close();
    await removeTempDir(root);
  });

  test('/health/storage: a disk check in every report; low space is degraded (200), nearly full unhealthy (503)', async () => {
    const real = fs.statfsSync(root);
    const realStatus = checkDisk(root).status;
    const plenty = await request(app).get('/health/storage');
    expect(plenty.body.checks.disk).toMatchObject({ status: realStatus });

    const spy = jest.spyOn(fs, 'statfsSync');
    spy.mockReturnValue({ ...real, ...disk(300 * MIB, 20 * GIB) });
    const low = await request(app).get('/health/storage');
    expect(low.status).toBe(200);
    expect(low.body).toMatchObject({ status: 'degraded', checks: { disk: { status: 'degraded' } } });
    expect(low.body.checks.storage_dir.status).toBe('healthy');

    spy.mockReturnValue({ ...real, ...disk(576 * 1024, 20 * GIB) });
    const full = await request(app).get('/health/storage');
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({ status: 'unhealthy', checks: { disk: { status: 'unhealthy' } } });
  });

  test('ENOSPC from a write says the disk is full (503 BACKEND_UNAVAILABLE), also via HTTP', async () => {
    const { sessionId } = await manager.createSession(makeSmallTable(3));
    const enospc = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    jest.spyOn(fs, 'writeSync').mockImplementation(enospc);
    await expect(
      manager.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'edit' }),
    ).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: 'local disk is full (ENOSPC) under STORAGE_DIR',
    });
    const res = await request(app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n');
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      code: 'BACKEND_UNAVAILABLE',
      message: 'local disk is full (ENOSPC) under STORAGE_DIR',
    });
    const health = await request(app).get('/health/storage');
    expect(health.status).toBe(503);
    expect(health.body.checks.storage_dir).toEqual({
      status: 'unhealthy',
      message: 'STORAGE_DIR is not writable (ENOSPC): the disk is full',
    });

    jest.restoreAllMocks();
    // Space back: the same session takes the write; nothing half-written was left behind.
    expect((await manager.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'edit' })).rows).toBe(4);
    expect((await manager.getSession(sessionId)).version).toBe(2);
  });
});

test('Redis-first with fallback: a nearly full local disk is local_disk degraded (the fallback would fail), never unhealthy', async () => {
  const root = await makeTempDir('fs-health-local-disk-');
  const server = await startRedisServer();
  const manager = await createDataManager({
    env: { ...testEnv(path.join(root, 'store'), server.url), REDIS_ENABLED: 'true' },
  });
  const app = createApp(manager);
  try {
    const normal = await request(app).get('/health/storage');
    expect(normal.body.checks.local_disk).toMatchObject({ status: checkDisk(root).status });
    const real = fs.statfsSync(root);
    jest.spyOn(fs, 'statfsSync').mockReturnValue({ ...real, ...disk(576 * 1024, 20 * GIB) });
    const res = await request(app).get('/health/storage');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'degraded',
      backend_type: 'redis',
      checks: { local_disk: { status: 'degraded', message: expect.stringContaining('about to fail') } },
    });
  } finally {
    jest.restoreAllMocks();
    (app.locals.framestore as AppLocals).dispose();
    await manager.close();
    await server.stop();
    await removeTempDir(root);
  }
});
