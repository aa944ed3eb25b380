import { newId } from '../../src/contract/ids.js';
import type { SessionSnapshot } from '../../src/contract/storage-backend.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { diffSnapshots } from '../../src/transfer/snapshot-compare.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { makeRichSession, openLocal, testEnv } from '../migration/migration-fixtures.js';
import { openRedis } from '../migration/redis-fixtures.js';

jest.setTimeout(120_000);

let server: RedisServerHandle;
let dir: string;
const managers: DataManager[] = [];

const open = async (env: Record<string, string>) => {
  const manager = await createDataManager({ env });
  managers.push(manager);
  return manager;
};
const closeAll = () => Promise.allSettled(managers.splice(0).map((m) => m.close()));

/** Same session, ignoring the expiry that every read legitimately slides. */
const sameSession = (a: SessionSnapshot, b: SessionSnapshot) =>
  diffSnapshots(a, { ...b, expiresAt: a.expiresAt });

beforeAll(async () => {
  server = await startRedisServer();
  dir = await makeTempDir('fs-readthrough-');
});
afterEach(closeAll);
afterAll(async () => {
  await server?.stop();
  await removeTempDir(dir);
});

describe('read-through on a flag flip (MIGRATION_READ_THROUGH=true)', () => {
  test('inmemory -> redis -> inmemory: every session and upload follows on first access, with its history', async () => {
    const prefix = { REDIS_KEY_PREFIX: 'rt1:' };
    // Day 1: the service runs on the local store only (no Redis configured at all).
    const before = await open({ ...testEnv(dir), STORAGE_BACKEND: 'inmemory' });
    expect(before.getBackendType()).toBe('inmemory');
    const rich = await makeRichSession(before, makeSmallTable(6), 'rt');
    const { sessionId: plain } = await before.createSession(makeSmallTable(4));
    const upload = await before.storeTempSheets({ a: makeSmallTable(2), b: makeSmallTable(3) });
    const original = await before.exportSession(rich);
    await closeAll();

    // Flip REDIS_ENABLED=true; same STORAGE_DIR.
    const onRedis = await open({ ...testEnv(dir, server.url, prefix), REDIS_ENABLED: 'true' });
    expect(onRedis.getBackendType()).toBe('redis');
    expect((await onRedis.getSession(rich)).version).toBe(original.version);
    expect(sameSession(original, await onRedis.exportSession(rich))).toEqual([]);
    await onRedis.redo(rich);
    assertTablesEqual(await onRedis.getDataFrame(rich), makeSmallTable(6).slice(0, 4));
    // A write is the first access too: moved, then applied on top of its history.
    const updated = await onRedis.updateDataFrame(plain, makeSmallTable(2), { operation: 'after_flip' });
    expect(updated.version).toBe(2);
    expect((await onRedis.getAuditLog(plain)).map((e) => e.operation)).toEqual(['upload', 'after_flip']);
    assertTablesEqual(await onRedis.getTempSheet(upload.uploadId, 'b'), makeSmallTable(3));
    await expect(onRedis.getSession(newId())).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });

    const local = await openLocal(dir);
    try {
      // Moved, not copied: the local copies are gone once Redis holds verified ones.
      expect(await local.sessionExists(rich)).toBe(false);
      expect(await local.sessionExists(plain)).toBe(false);
      await expect(local.listTempSheets(upload.uploadId)).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
    } finally {
      await local.close();
    }
    const inRedis = await onRedis.exportSession(rich);
    await closeAll();

    // Roll back: STORAGE_BACKEND=inmemory while REDIS_URL still says where Redis is.
    const back = await open({ ...testEnv(dir, server.url, prefix), STORAGE_BACKEND: 'inmemory' });
    expect(back.getBackendType()).toBe('inmemory');
    expect(sameSession(inRedis, await back.exportSession(rich))).toEqual([]);
    expect(await back.sessionExists(plain)).toBe(true);
    expect((await back.listTempSheets(upload.uploadId)).sheets.map((s) => s.name)).toEqual(['a', 'b']);
    const redis = await openRedis(server.url, dir, prefix);
    try {
      expect(await redis.sessionExists(rich)).toBe(false);
      expect(await redis.sessionExists(plain)).toBe(false);
    } finally {
      await redis.close();
    }
  });

  test('withLock and delete on a session still in the other store', async () => {
    const prefix = { REDIS_KEY_PREFIX: 'rt2:' };
    const local = await open({ ...testEnv(dir), STORAGE_BACKEND: 'inmemory' });
    const { sessionId: locked } = await local.createSession(makeSmallTable(3));
    const { sessionId: doomed } = await local.createSession(makeSmallTable(3));
    await closeAll();

    const onRedis = await open({ ...testEnv(dir, server.url, prefix), REDIS_ENABLED: 'true' });
    const rows = await onRedis.withLock(locked, async () => {
      await onRedis.updateDataFrame(locked, makeSmallTable(5), { operation: 'under_lock' });
      return (await onRedis.getSession(locked)).rows;
    });
    expect(rows).toBe(5);
    expect(await onRedis.deleteSession(doomed)).toBe(true);
    expect(await onRedis.sessionExists(doomed)).toBe(false);
  });

  test('with MIGRATION_READ_THROUGH=false a flip does not look in the other store', async () => {
    const local = await open({ ...testEnv(dir), STORAGE_BACKEND: 'inmemory' });
    const { sessionId } = await local.createSession(makeSmallTable(3));
    await closeAll();
    const onRedis = await open({
      ...testEnv(dir, server.url, { REDIS_KEY_PREFIX: 'rt3:' }),
      REDIS_ENABLED: 'true',
      MIGRATION_READ_THROUGH: 'false',
    });
    await expect(onRedis.getSession(sessionId)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });
});
