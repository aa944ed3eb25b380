import fs from 'node:fs/promises';
import path from 'node:path';
import { benchMigration } from '../../bench/scenarios/migration.js';
import type { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import type { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { listAllItems, runMigration } from '../../src/transfer/migration-runner.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { makeMixedSet, makeRichSession, openLocal, sameUpload, sessionDiff } from './migration-fixtures.js';
import { openRedis } from './redis-fixtures.js';

jest.setTimeout(180_000);

let server: RedisServerHandle;
let root: string;
let prefixes = 0;
const opened: StorageBackend[] = [];

/** A fresh local store and a fresh Redis namespace, so every test starts empty. */
async function stores(): Promise<{ local: InMemoryBackend; redis: RedisBackend; dir: string }> {
  const dir = path.join(root, `case-${++prefixes}`);
  const local = await openLocal(dir);
  const redis = await openRedis(server.url, dir, { REDIS_KEY_PREFIX: `migrate${prefixes}:` });
  opened.push(local, redis);
  return { local, redis, dir };
}

/** Compares every session and upload of a set; `slid` when reads since the copy legitimately moved the expiry. */
async function expectSameEverything(
  a: StorageBackend,
  b: StorageBackend,
  ids: { sessions: string[]; uploads: string[] },
  slid = false,
) {
  for (const id of ids.sessions) {
    const diff = (await sessionDiff(a, b, id)).filter((field) => !slid || field !== 'expiresAt');
    expect({ id, diff }).toEqual({ id, diff: [] });
  }
  for (const id of ids.uploads) expect(await sameUpload(a, b, id)).toBe(true);
}

beforeAll(async () => {
  server = await startRedisServer();
  root = await makeTempDir('fs-migrate-');
});

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((backend) => backend.close()));
});

afterAll(async () => {
  await server?.stop();
  await removeTempDir(root);
});

describe('runMigration', () => {
  test('inmemory -> redis -> inmemory on a mixed set: everything survives both ways; reruns are no-ops', async () => {
    const { local, redis, dir } = await stores();
    const set = await makeMixedSet(local, { small: 4, large: 1 });
    const largeId = set.sessions.at(-1)!;

    const forward = await runMigration({ from: local, to: redis, concurrency: 3 });
    expect(forward).toMatchObject({ total: 7, moved: 7, identical: 0, failed: [], interrupted: false });
    expect(forward.bytes).toBeGreaterThan(1_000_000);
    await expectSameEverything(local, redis, set);
    // Byte-identical frames (checked above) decode to the same table; a cell-by-cell check of the small one suffices.
    expect((await redis.getDataFrame(largeId)).numRows).toBe(99_999);
    assertTablesEqual(await redis.getDataFrame(set.sessions[0]!), await local.getDataFrame(set.sessions[0]!));
    expect(await redis.getSession(largeId)).toMatchObject({
      rows: 99_999,
      columns: 10,
      canUndo: true,
      canRedo: true,
    });

    const again = await runMigration({ from: local, to: redis });
    expect(again).toMatchObject({ moved: 0, identical: 7, failed: [] });

    // Back to a new, empty local store, deleting each Redis copy after its verified copy.
    const back = await openLocal(path.join(dir, 'back'));
    opened.push(back);
    const reverse = await runMigration({ from: redis, to: back, deleteSource: true });
    expect(reverse).toMatchObject({ moved: 7, sourceDeleted: 7, failed: [] });
    await expectSameEverything(local, back, set, true);
    expect(await redis.countSessions()).toBe(0);
    expect(await listAllItems(redis)).toEqual([]);
    // Undo and redo positions work on the copy exactly as on the original.
    const [first] = set.sessions;
    await back.redo(first!);
    await local.redo(first!);
    assertTablesEqual(await back.getDataFrame(first!), await local.getDataFrame(first!));
  });

  test('a dry run reports what would move and writes nothing, not even the state file', async () => {
    const { local, redis, dir } = await stores();
    const set = await makeMixedSet(local, { small: 3, large: 0 });
    const stateFile = path.join(dir, 'dry.state');
    const summary = await runMigration({
      from: local,
      to: redis,
      dryRun: true,
      deleteSource: true,
      stateFile,
    });
    expect(summary).toMatchObject({ dryRun: true, total: 5, moved: 5, sourceDeleted: 0, failed: [] });
    expect(await listAllItems(redis)).toEqual([]);
    expect((await listAllItems(local)).length).toBe(set.sessions.length + set.uploads.length);
    await expect(fs.stat(stateFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('an interrupted migration resumes from its state file: all moved, none twice', async () => {
    const { local, redis, dir } = await stores();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await local.createSession(makeSmallTable(3 + i))).sessionId);
    const stateFile = path.join(dir, 'resume.state');

    const abort = new AbortController();
    const first = await runMigration({
      from: local,
      to: redis,
      stateFile,
      concurrency: 1,
      signal: abort.signal,
      onItem: (_item, progress) => {
        if (progress.done === 3) abort.abort();
      },
    });
    expect(first).toMatchObject({ interrupted: true, moved: 3, failed: [] });
    expect(await redis.countSessions()).toBe(3);

    const seen: string[] = [];
    const second = await runMigration({
      from: local,
      to: redis,
      stateFile,
      onItem: (item) => seen.push(item.id),
    });
    expect(second).toMatchObject({ interrupted: false, alreadyDone: 3, moved: 5, identical: 0, failed: [] });
    expect(seen.length).toBe(5);
    const inRedis = (await listAllItems(redis)).map((item) => item.id).sort();
    expect(inRedis).toEqual([...ids].sort());
    for (const id of ids) expect(await sessionDiff(local, redis, id)).toEqual([]);

    // The state file belongs to this direction only.
    await expect(runMigration({ from: redis, to: local, stateFile })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  test('maxItems stops a run early; diverged copies fail the run with a reason and are left alone', async () => {
    const { local, redis } = await stores();
    const id = await makeRichSession(local, makeSmallTable(5), 'diverged');
    const partial = await runMigration({ from: local, to: redis, maxItems: 1 });
    expect(partial).toMatchObject({ moved: 1, interrupted: false });
    await local.updateDataFrame(id, makeSmallTable(2), { operation: 'local edit' });
    await redis.updateDataFrame(id, makeSmallTable(3), { operation: 'redis edit' });
    const before = await redis.exportSession(id);

    const summary = await runMigration({ from: local, to: redis, deleteSource: true });
    expect(summary.conflicts).toBe(1);
    expect(summary.failed).toEqual([expect.objectContaining({ kind: 'session', id, code: 'STALE_WRITE' })]);
    expect((await redis.exportSession(id)).version).toBe(before.version);
    expect(await local.sessionExists(id)).toBe(true);
  });
});

describe('benchMigration', () => {
  test('measures a small inmemory -> redis run', async () => {
    const result = await benchMigration({
      sessions: 3,
      rows: 200,
      versions: 2,
      redisUrl: server.url,
      storageDir: root,
    });
    expect(result.sessions).toBe(3);
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.sessionsPerSec).toBeGreaterThan(0);
    expect(result.mbPerSec).toBeGreaterThan(0);
  });
});
