import type { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import type { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import type { MarkedCell, StorageBackend } from '../../src/contract/storage-backend.js';
import { runMigration } from '../../src/transfer/migration-runner.js';
import { transferSession } from '../../src/transfer/session-transfer.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { openLocal } from './migration-fixtures.js';
import { openRedis } from './redis-fixtures.js';

jest.setTimeout(60_000);

/**
 * Marks and metadata bump neither the version nor the audit log, so a copy whose frame history is older
 * may still hold annotations the other copy lacks. Such pairs are conflicts: never replaced, never deleted.
 */

interface ConflictDetails {
  source: string;
  otherMarks: MarkedCell[];
  otherMetadata: Record<string, unknown>;
  otherAuditSinceDivergence: { operation: string }[];
}

let server: RedisServerHandle;
const dirs: string[] = [];
const opened: StorageBackend[] = [];
let prefixes = 0;

async function localStore(): Promise<InMemoryBackend> {
  const dir = await makeTempDir('fs-annot-');
  dirs.push(dir);
  const store = await openLocal(dir);
  opened.push(store);
  return store;
}

async function redisStore(): Promise<RedisBackend> {
  const store = await openRedis(server.url, dirs[0] ?? '.', { REDIS_KEY_PREFIX: `annot${++prefixes}:` });
  opened.push(store);
  return store;
}

/** One session copied to both stores, so both start from the same state. */
async function shared(a: StorageBackend, b: StorageBackend): Promise<string> {
  const { sessionId } = await a.createSession(makeSmallTable(4), { metadata: { owner: 'tests' } });
  expect((await transferSession(a, b, sessionId)).outcome).toBe('moved');
  return sessionId;
}

async function lastConflict(store: StorageBackend, id: string): Promise<ConflictDetails> {
  const entry = (await store.getAuditLog(id)).at(-1)!;
  expect(entry.operation).toBe('conflict');
  return entry.details as unknown as ConflictDetails;
}

beforeAll(async () => {
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((store) => store.close()));
  await Promise.all(dirs.splice(0).map((dir) => removeTempDir(dir)));
});
afterAll(async () => {
  await server?.stop();
});

describe('marks and metadata in conflict detection', () => {
  test('source annotated, target has a newer frame: conflict, not target-newer; merge keeps both', async () => {
    const a = await localStore();
    const b = await localStore();
    const id = await shared(a, b);
    await a.markIntentionalMissing(id, { row: 0, column: 'name', reason: 'offline' });
    await a.updateMetadata(id, { reviewed: 'offline' });
    await b.updateDataFrame(id, makeSmallTable(6), { operation: 'edit_in_target' });
    const targetBefore = await b.exportSession(id);

    const skipped = await transferSession(a, b, id, { deleteSource: true });
    expect(skipped).toMatchObject({ outcome: 'conflict', sourceDeleted: false });
    expect(await a.getIntentionalMissing(id)).toHaveLength(1);
    expect((await b.exportSession(id)).version).toBe(targetBefore.version);

    const merged = await transferSession(a, b, id, { conflict: 'merge', deleteSource: true });
    expect(merged).toMatchObject({ outcome: 'merged', sourceDeleted: true });
    assertTablesEqual(await b.getDataFrame(id), makeSmallTable(6));
    expect(await b.getMetadata(id)).toEqual({ owner: 'tests' });
    const details = await lastConflict(b, id);
    expect(details.otherMarks).toEqual([
      expect.objectContaining({ row: 0, column: 'name', reason: 'offline' }),
    ]);
    expect(details.otherMetadata).toEqual({ owner: 'tests', reviewed: 'offline' });
    expect(details.otherAuditSinceDivergence).toEqual([]);
    const attached = (await b.listVersions(id)).at(-1)!;
    expect(attached.operation).toBe('conflict');
    assertTablesEqual(await b.getVersion(id, attached.version), makeSmallTable(4));
  });

  test('source has a newer frame, target annotated: conflict, not overwrite; merge keeps both', async () => {
    const a = await localStore();
    const b = await localStore();
    const id = await shared(a, b);
    await b.markIntentionalMissingBatch(id, [{ row: 1, column: 'score', reason: 'in target' }]);
    await b.updateMetadata(id, { owner: null, team: 'target' });
    await a.updateDataFrame(id, makeSmallTable(7), { operation: 'edit_in_source' });

    expect((await transferSession(a, b, id)).outcome).toBe('conflict');
    expect(await b.getIntentionalMissing(id)).toEqual([
      expect.objectContaining({ row: 1, column: 'score', reason: 'in target' }),
    ]);
    assertTablesEqual(await b.getDataFrame(id), makeSmallTable(4));

    const merged = await transferSession(a, b, id, { conflict: 'merge', deleteSource: true });
    expect(merged).toMatchObject({ outcome: 'merged', sourceDeleted: true });
    expect(await b.getIntentionalMissing(id)).toHaveLength(1);
    expect(await b.getMetadata(id)).toEqual({ team: 'target' });
    const details = await lastConflict(b, id);
    expect(details.otherMetadata).toEqual({ owner: 'tests' });
    expect(details.otherAuditSinceDivergence.map((entry) => entry.operation)).toEqual(['edit_in_source']);
    // One undo brings the source's newer frame back.
    await b.undoLastChange(id);
    assertTablesEqual(await b.getDataFrame(id), makeSmallTable(7));
  });

  test('a mark cleared on the older side is a difference too', async () => {
    const a = await localStore();
    const b = await localStore();
    const { sessionId: id } = await a.createSession(makeSmallTable(4));
    await a.markIntentionalMissing(id, { row: 0, column: 'id' });
    await transferSession(a, b, id);
    await a.clearIntentionalMissing(id);
    await b.updateDataFrame(id, makeSmallTable(5), { operation: 'edit_in_target' });
    expect((await transferSession(a, b, id, { deleteSource: true })).outcome).toBe('conflict');
    expect(await a.sessionExists(id)).toBe(true);
  });

  test('local -> redis: migrate reports the conflict and keeps both; the write-back merge lands in redis', async () => {
    const local = await localStore();
    const redis = await redisStore();
    const id = await shared(local, redis);
    await local.markIntentionalMissing(id, { row: 2, column: 'name', reason: 'outage' });
    await redis.updateDataFrame(id, makeSmallTable(8), { operation: 'edit_in_redis' });

    const summary = await runMigration({ from: local, to: redis, deleteSource: true });
    expect(summary).toMatchObject({ conflicts: 1, targetNewer: 0, sourceDeleted: 0 });
    expect(summary.failed).toEqual([expect.objectContaining({ kind: 'session', id, code: 'STALE_WRITE' })]);
    expect(await local.getIntentionalMissing(id)).toHaveLength(1);

    // What write-back does with it: Redis stays current, the local copy is recorded.
    const merged = await transferSession(local, redis, id, { conflict: 'merge', deleteSource: true });
    expect(merged).toMatchObject({ outcome: 'merged', sourceDeleted: true });
    assertTablesEqual(await redis.getDataFrame(id), makeSmallTable(8));
    const details = await lastConflict(redis, id);
    expect(details.source).toBe('inmemory');
    expect(details.otherMarks).toEqual([
      expect.objectContaining({ row: 2, column: 'name', reason: 'outage' }),
    ]);
    expect((await transferSession(local, redis, id)).outcome).toBe('skipped-missing');
  });
});
