import { isStorageError } from '../../src/contract/errors.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { transferSession } from '../../src/transfer/session-transfer.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { openLocal, testEnv } from '../migration/migration-fixtures.js';
import { openRedis } from '../migration/redis-fixtures.js';

jest.setTimeout(60_000);

let server: RedisServerHandle;
let dir: string;
let manager: DataManager | undefined;

beforeAll(async () => {
  server = await startRedisServer();
  dir = await makeTempDir('fs-delete-both-');
});
afterEach(async () => {
  await manager?.close();
  manager = undefined;
});
afterAll(async () => {
  await server?.stop();
  await removeTempDir(dir);
});

describe('a delete reaches both stores', () => {
  test.each([
    ['redis', { REDIS_ENABLED: 'true' }],
    ['inmemory', { REDIS_ENABLED: 'false' }],
  ])('a session copied by migrate (source kept) stays deleted after a delete on %s', async (active, flag) => {
    const prefix = { REDIS_KEY_PREFIX: `del${active}:` };
    const local = await openLocal(dir);
    const redis = await openRedis(server.url, dir, prefix);
    const { sessionId } = await local.createSession(makeSmallTable(3));
    const upload = await local.storeTempSheets({ s: makeSmallTable(2) });
    // `framestore migrate` without --delete-source: both stores hold the session.
    expect((await transferSession(local, redis, sessionId)).outcome).toBe('moved');
    await redis.importTempUpload(await local.exportTempUpload(upload.uploadId));
    await local.close();
    await redis.close();

    manager = await createDataManager({ env: { ...testEnv(dir, server.url, prefix), ...flag } });
    expect(manager.getBackendType()).toBe(active);
    expect(await manager.deleteSession(sessionId)).toBe(true);
    expect(await manager.deleteTemp(upload.uploadId)).toBe(true);
    // Read-through must not bring the other store's copy back.
    const missing = await manager.getSession(sessionId).catch((error: unknown) => error);
    expect(isStorageError(missing, 'SESSION_NOT_FOUND')).toBe(true);
    const gone = await manager.listTempSheets(upload.uploadId).catch((error: unknown) => error);
    expect(isStorageError(gone, 'UPLOAD_NOT_FOUND')).toBe(true);
    expect(await manager.deleteSession(sessionId)).toBe(false);
  });
});
