import fs from 'node:fs';
import path from 'node:path';
import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { blobsOf } from '../../src/session/chunks/manifest.js';
import { spawnWorker, type WorkerChild } from '../contract/contract-children.js';
import { expectCode } from '../contract/contract-context.js';
import { ledgerRows, makeLedger } from '../contract/contract-ledger.js';
import type { BackendHarness } from '../contract/contract-suite.js';
import { currentBlobs, sessionBlobs } from '../helpers/blobs.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable, prng } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';

/** InMemoryBackend guarantees beyond the contract: files on disk, crashes, corruption, containment. */

let root: string;
let storageDir: string;
const opened: StorageBackend[] = [];

async function open(overrides: Record<string, string> = {}): Promise<InMemoryBackend> {
  const backend = await InMemoryBackend.open(loadConfig({ STORAGE_DIR: storageDir, ...overrides }), {
    sweepIntervalMs: 0,
  });
  opened.push(backend);
  return backend;
}

const sessionDir = (id: string) => path.join(storageDir, 'sessions', id);
const frameFiles = (id: string) => fs.readdirSync(path.join(sessionDir(id), 'frames'));

/** Every path under `dir`, recursively, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    out.push(full);
    if (entry.isDirectory()) out.push(...tree(full));
  }
  return out.sort();
}

beforeEach(async () => {
  root = await makeTempDir('framestore-inmemory-specific-');
  storageDir = path.join(root, 'store');
});

afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
  await removeTempDir(root);
});

test('a new instance on the same directory sees every session and upload exactly as left', async () => {
  const a = await open({ MAX_VERSIONS: '3' });
  const { sessionId } = await a.createSession(makeRealisticTable(200, 12), {
    filename: 'f.csv',
    metadata: { m: 1 },
  });
  for (let k = 1; k <= 4; k += 1) {
    await a.updateDataFrame(sessionId, makeRealisticTable(200 + k, 12, k), {
      operation: `op${k}`,
      user: 'u',
    });
  }
  await a.undoLastChange(sessionId);
  await a.markIntentionalMissing(sessionId, { row: 2, column: 'amount_0', reason: 'r' });
  await a.addAuditEntry(sessionId, { operation: 'note' });
  const upload = await a.storeTempSheets(
    { S1: makeSmallTable(2), S2: makeSmallTable(4) },
    { filename: 'b.xlsx' },
  );
  const snapshot = await a.exportSession(sessionId);
  const uploadSnapshot = await a.exportTempUpload(upload.uploadId);
  await a.close();

  const b = await open({ MAX_VERSIONS: '3' });
  expect(await b.exportSession(sessionId)).toEqual(snapshot);
  expect(await b.exportTempUpload(upload.uploadId)).toEqual(uploadSnapshot);
  assertTablesEqual(await b.getDataFrame(sessionId), makeRealisticTable(203, 12, 3));
  await b.redo(sessionId);
  assertTablesEqual(await b.getDataFrame(sessionId), makeRealisticTable(204, 12, 4));
});

describe('a writer killed (SIGKILL) in the middle of writes', () => {
  const children: WorkerChild[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  test('leaves a readable, consistent session every time', async () => {
    const env = { STORAGE_DIR: storageDir, LOCK_TTL_MS: '2000', MAX_VERSIONS: '3' };
    const harness: BackendHarness = {
      name: 'inmemory',
      env: () => env,
      create: () => open(env),
      factoryModule: path.join(__dirname, '../helpers/inmemory-factory.ts'),
      teardown: async () => undefined,
    };
    const setup = await open(env);
    const { sessionId } = await setup.createSession(makeLedger([{ writer: 'origin', step: 0 }]));
    // The kill points are random; the seed is printed so a failing run can be replayed (CRASH_SEED=...).
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
    console.log(`crash test seed: ${seed} (replay with CRASH_SEED=${seed})`);
    const random = prng(seed);
    const nextDelay = () => Math.floor(random() * 200);
    for (let round = 0; round < 3; round += 1) {
      const child = spawnWorker(harness, { mode: 'loop', sessionId, name: `crash${round}` });
      children.push(child);
      await child.waitEvent('started', 90_000);
      // Kill at a random point of its write loop (each write is a few ms of frame + audit + state I/O).
      await new Promise((resolve) => setTimeout(resolve, nextDelay()));
      child.proc.kill('SIGKILL');
      await child.exited;

      const fresh = await open(env);
      const info = await fresh.getSession(sessionId);
      const rows = ledgerRows(await fresh.getDataFrame(sessionId));
      // One row per committed change: the frame, the version and the audit log moved together.
      expect(rows).toHaveLength(info.version);
      expect(await fresh.getAuditLog(sessionId)).toHaveLength(info.version);
      for (const v of await fresh.listVersions(sessionId)) {
        expect((await fresh.getVersion(sessionId, v.version)).numRows).toBe(v.version);
      }
      const mine = rows.filter((r) => r.writer === `crash${round}`).map((r) => r.step);
      expect(mine).toEqual(mine.map((_, i) => i + 1));
      expect(mine.length).toBeGreaterThanOrEqual(1);

      // The store is writable again (the dead writer's lock goes stale) and leftovers are swept.
      const next = await fresh.withLock(
        sessionId,
        async () => {
          const table = await fresh.getDataFrame(sessionId);
          const appended = makeLedger([...ledgerRows(table), { writer: 'survivor', step: round }]);
          return fresh.updateDataFrame(sessionId, appended, { operation: 'append' });
        },
        { retryCount: 200, retryDelayMs: 25 },
      );
      expect(next.version).toBe(info.version + 1);
      await fresh.cleanupExpired();
      const names = fs.readdirSync(sessionDir(sessionId));
      expect(names.filter((name) => name.startsWith('.tmp-'))).toEqual([]);
      // no frame file left but the chunks the session names
      expect(frameFiles(sessionId).sort()).toEqual(
        (await sessionBlobs(fresh, sessionId)).map((b) => `${b}.fsf`),
      );
    }
  }, 240_000);
});

describe('corruption is CORRUPT_DATA, never a wrong table', () => {
  async function stored(): Promise<{ id: string; frame: string }> {
    const a = await open();
    const { sessionId } = await a.createSession(makeRealisticTable(300, 10));
    await a.close();
    const [name] = frameFiles(sessionId);
    return { id: sessionId, frame: path.join(sessionDir(sessionId), 'frames', name!) };
  }

  test('a bit-flipped frame file', async () => {
    const { id, frame } = await stored();
    const bytes = fs.readFileSync(frame);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10]! ^ 0x40) & 0xff;
    fs.writeFileSync(frame, bytes);
    await expectCode(async () => (await open()).getDataFrame(id), 'CORRUPT_DATA');
  });

  test('a truncated frame file', async () => {
    const { id, frame } = await stored();
    fs.truncateSync(frame, Math.floor(fs.statSync(frame).size / 2));
    await expectCode(async () => (await open()).getDataFrame(id), 'CORRUPT_DATA');
  });

  test('a missing frame file', async () => {
    const { id, frame } = await stored();
    fs.rmSync(frame);
    await expectCode(async () => (await open()).getDataFrame(id), 'CORRUPT_DATA');
  });

  test('a corrupt history frame fails getVersion but not the current frame', async () => {
    const a = await open();
    const { sessionId } = await a.createSession(makeSmallTable(3));
    await a.updateDataFrame(sessionId, makeSmallTable(5), { operation: 'edit' });
    await a.close();
    const b = await open();
    const snapshot = await b.exportSession(sessionId);
    // a chunk only the history frame names
    const current = new Set(currentBlobs(snapshot));
    const oldFrame = blobsOf(snapshot.history[0]!).find((blob) => !current.has(blob))!;
    fs.writeFileSync(path.join(sessionDir(sessionId), 'frames', `${oldFrame}.fsf`), 'garbage');
    assertTablesEqual(await b.getDataFrame(sessionId), makeSmallTable(5));
    await expectCode(() => b.getVersion(sessionId, 1), 'CORRUPT_DATA');
  });

  test.each([
    ['not JSON', '{"format":1,'],
    ['the wrong shape', '{"format":1,"sessionId":"x"}'],
    ['another session', null],
  ])('a state file that is %s', async (_, content) => {
    const a = await open();
    const { sessionId } = await a.createSession(makeSmallTable());
    const other = await a.createSession(makeSmallTable());
    await a.close();
    const statePath = path.join(sessionDir(sessionId), 'state.json');
    fs.writeFileSync(
      statePath,
      content ?? fs.readFileSync(path.join(sessionDir(other.sessionId), 'state.json')),
    );
    const b = await open();
    await expectCode(() => b.getSession(sessionId), 'CORRUPT_DATA');
    await expectCode(() => b.getDataFrame(sessionId), 'CORRUPT_DATA');
    await expectCode(
      () => b.updateDataFrame(sessionId, makeSmallTable(), { operation: 'x' }),
      'CORRUPT_DATA',
    );
    // Listings skip it instead of failing; deleting it works.
    expect((await b.listSessions()).sessions.map((s) => s.sessionId)).toEqual([other.sessionId]);
    expect(await b.deleteSession(sessionId)).toBe(true);
  });

  test('an upload whose sheet file is damaged or gone is CORRUPT_DATA on read and export; deleting it still works', async () => {
    const a = await open();
    const upload = await a.storeTempSheets({ A: makeSmallTable(3), B: makeSmallTable(4) });
    await a.close();
    const manifest = JSON.parse(
      fs.readFileSync(path.join(storageDir, 'uploads', upload.uploadId, 'manifest.json'), 'utf8'),
    ) as { sheets: { frameId: string }[] };
    const sheet = path.join(
      storageDir,
      'uploads',
      upload.uploadId,
      'sheets',
      `${manifest.sheets[0]!.frameId}.fsf`,
    );
    const bytes = fs.readFileSync(sheet);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5]! ^ 1) & 0xff;
    fs.writeFileSync(sheet, bytes);
    const b = await open();
    await expectCode(() => b.getTempSheet(upload.uploadId, 'A'), 'CORRUPT_DATA');
    fs.rmSync(sheet);
    await expectCode(() => b.getTempSheet(upload.uploadId, 'A'), 'CORRUPT_DATA');
    await expectCode(() => b.exportTempUpload(upload.uploadId), 'CORRUPT_DATA');
    assertTablesEqual(await b.getTempSheet(upload.uploadId, 'B'), makeSmallTable(4));
    expect(await b.deleteTemp(upload.uploadId)).toBe(true);
    await expectCode(() => b.getTempSheet(upload.uploadId, 'A'), 'UPLOAD_NOT_FOUND');
  });

  test('a truncated audit log', async () => {
    const a = await open();
    const { sessionId } = await a.createSession(makeSmallTable());
    await a.addAuditEntry(sessionId, { operation: 'note' });
    const [log] = fs.readdirSync(sessionDir(sessionId)).filter((name) => name.startsWith('audit-'));
    fs.truncateSync(path.join(sessionDir(sessionId), log!), 10);
    await expectCode(() => a.getAuditLog(sessionId), 'CORRUPT_DATA');
  });
});

test('traversal-style ids are INVALID_INPUT and create nothing outside (or inside) STORAGE_DIR', async () => {
  const backend = await open();
  const before = tree(root);
  const ids = [
    '../../etc',
    '../store',
    '..',
    '.',
    'sessions/../../x',
    '%2e%2e%2f%2e%2e',
    `..\\${'A'.repeat(19)}`,
  ];
  const table = makeSmallTable();
  for (const id of ids) {
    await expectCode(() => backend.getSession(id), 'INVALID_INPUT');
    await expectCode(() => backend.updateDataFrame(id, table, { operation: 'x' }), 'INVALID_INPUT');
    await expectCode(() => backend.deleteSession(id), 'INVALID_INPUT');
    await expectCode(() => backend.withLock(id, async () => 1), 'INVALID_INPUT');
    await expectCode(() => backend.markIntentionalMissing(id, { row: 0, column: 'id' }), 'INVALID_INPUT');
    await expectCode(() => backend.promoteTempSheet(id, 'S'), 'INVALID_INPUT');
    await expectCode(() => backend.deleteTemp(id), 'INVALID_INPUT');
    // Sheet names are labels, not paths, but never carry separators.
    if (/[/\\]/.test(id)) await expectCode(() => backend.storeTempSheets({ [id]: table }), 'INVALID_INPUT');
    const snapshot = { formatVersion: 1, sessionId: id } as never;
    await expectCode(() => backend.importSession(snapshot, { overwrite: true }), 'INVALID_INPUT');
  }
  expect(tree(root)).toEqual(before);
  expect(fs.readdirSync(path.dirname(root)).filter((name) => name === 'etc' || name === 'x')).toEqual([]);
});
