import fs from 'node:fs';
import path from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { parseState, serializeState } from '../../src/backends/inmemory/inmemory-state.js';
import { tableMemoryBytes } from '../../src/codec/frame-codec.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { sessionBlobs, snapshotBlobs } from '../helpers/blobs.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';

/** InMemoryBackend's on-disk layout and memory: cache bounds, reference-only versioning, sweeps. */

let storageDir: string;
const opened: StorageBackend[] = [];

async function open(overrides: Record<string, string> = {}, sweepIntervalMs = 0): Promise<InMemoryBackend> {
  const config = loadConfig({ STORAGE_DIR: storageDir, ...overrides });
  const backend = await InMemoryBackend.open(config, { sweepIntervalMs });
  opened.push(backend);
  return backend;
}

const sessionDir = (id: string) => path.join(storageDir, 'sessions', id);
const framesDir = (id: string) => path.join(sessionDir(id), 'frames');

/** name -> inode and mtime of every frame file: proof that nothing was rewritten. */
function frameStats(id: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of fs.readdirSync(framesDir(id))) {
    const stat = fs.statSync(path.join(framesDir(id), name));
    out.set(name, `${stat.ino}:${stat.mtimeMs}:${stat.size}`);
  }
  return out;
}

beforeEach(async () => {
  storageDir = await makeTempDir('framestore-inmemory-storage-');
});

afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
  await removeTempDir(storageDir);
});

test('the LRU stays within MEMORY_CACHE_MAX_MB and evicts the least recently used', async () => {
  const backend = await open({ MEMORY_CACHE_MAX_MB: '1' });
  const table = makeRealisticTable(4000, 10);
  const size = tableMemoryBytes(table);
  expect(size).toBeGreaterThan(150_000);
  expect(size).toBeLessThan(450_000);
  const ids: string[] = [];
  for (let i = 0; i < 6; i += 1) ids.push((await backend.createSession(table)).sessionId);
  for (const id of ids) await backend.getDataFrame(id);
  const stats = (await backend.getStats()).cache!;
  // Cached per column chunk (one per column here): 6 sessions × 10 chunks do not fit in 1 MB.
  const chunks = table.numCols;
  expect(stats.maxBytes).toBe(1024 * 1024);
  expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
  expect(stats.entries).toBeLessThan(6 * chunks);
  expect(stats.entries).toBeGreaterThan(0);

  const hits = stats.hits;
  const again = await backend.getDataFrame(ids[5]!);
  expect((await backend.getStats()).cache!.hits).toBe(hits + chunks);
  // Found whole in the cache: the next read is that very table (within a second without a lookup per chunk).
  expect(await backend.getDataFrame(ids[5]!)).toBe(again);
  const misses = (await backend.getStats()).cache!.misses;
  assertTablesEqual(await backend.getDataFrame(ids[0]!), table);
  expect((await backend.getStats()).cache!.misses).toBe(misses + chunks);
  expect((await backend.getStats()).cache!.bytes).toBeLessThanOrEqual(1024 * 1024);
});

test('a chunk larger than the whole cache is served but not cached', async () => {
  const backend = await open({ MEMORY_CACHE_MAX_MB: '0.1' });
  // one column, one chunk of 160 kB
  const table = tableFromArrays({ x: Float64Array.from({ length: 20_000 }, (_, i) => i / 7) });
  const { sessionId } = await backend.createSession(table);
  assertTablesEqual(await backend.getDataFrame(sessionId), table);
  expect((await backend.getStats()).cache!.entries).toBe(0);
});

test('createVersion, undo, redo and restore write no frame file and rewrite none', async () => {
  const backend = await open();
  const { sessionId } = await backend.createSession(makeRealisticTable(2000, 20));
  await backend.updateDataFrame(sessionId, makeRealisticTable(2000, 20, 2), { operation: 'edit' });
  await backend.updateDataFrame(sessionId, makeRealisticTable(2000, 20, 3), { operation: 'edit' });
  const before = frameStats(sessionId);
  // 3 frames × 20 columns, all different
  expect([...before.keys()].sort()).toEqual((await sessionBlobs(backend, sessionId)).map((b) => `${b}.fsf`));
  expect(before.size).toBe(60);
  const ops: (() => Promise<unknown>)[] = [
    () => backend.createVersion(sessionId, 'v'),
    () => backend.undoLastChange(sessionId),
    () => backend.undoLastChange(sessionId),
    () => backend.redo(sessionId),
    () => backend.restoreVersion(sessionId, 1),
  ];
  for (const op of ops) {
    await op();
    const now = frameStats(sessionId);
    for (const [name, stat] of now) expect(before.get(name)).toBe(stat);
  }
  assertTablesEqual(await backend.getDataFrame(sessionId), makeRealisticTable(2000, 20));
});

test('frames that fall off the history are deleted with the change that drops them', async () => {
  const backend = await open({ MAX_VERSIONS: '3' });
  const { sessionId } = await backend.createSession(makeSmallTable(1));
  for (let k = 2; k <= 6; k += 1)
    await backend.updateDataFrame(sessionId, makeSmallTable(k), { operation: 'e' });
  // Exactly the chunks the session names are on disk: 4 frames × the table's columns.
  const files = async () => fs.readdirSync(framesDir(sessionId)).sort();
  const named = async () => (await sessionBlobs(backend, sessionId)).map((b) => `${b}.fsf`);
  const columns = makeSmallTable(1).numCols;
  expect(await files()).toEqual(await named());
  expect(await files()).toHaveLength(4 * columns);
  await backend.undoLastChange(sessionId);
  await backend.undoLastChange(sessionId);
  expect(await files()).toHaveLength(4 * columns);
  await backend.updateDataFrame(sessionId, makeSmallTable(9), { operation: 'e' });
  // history 1 left + the previous current pushed + the new current; the 2 redo frames are gone.
  expect(await files()).toEqual(await named());
  expect(await files()).toHaveLength(3 * columns);
  // and so are their manifests' side files: one per frame still named.
  const snapshot = await backend.exportSession(sessionId);
  const frameIds = [snapshot.currentFrameId, ...snapshot.history.map((entry) => entry.frameId)];
  const sideFiles = fs.readdirSync(sessionDir(sessionId)).filter((name) => name.startsWith('manifest-'));
  expect(sideFiles).toHaveLength(new Set(frameIds).size);
});

test('cleanupExpired counts expired sessions and uploads and sweeps crash leftovers', async () => {
  const backend = await open();
  const live = await backend.createSession(makeSmallTable());
  const expired = await backend.createSession(makeSmallTable(), { ttlSeconds: 1 });
  const upload = await backend.storeTempSheets({ S: makeSmallTable() }, { ttlSeconds: 1 });
  // What a crashed writer leaves: a temp file, an unreferenced frame, a folder without state, trash.
  fs.writeFileSync(path.join(sessionDir(live.sessionId), '.tmp-deadbeef'), 'partial');
  fs.writeFileSync(path.join(framesDir(live.sessionId), 'orphanframe.fsf'), 'partial');
  const orphan = path.join(storageDir, 'sessions', 'BBBBBBBBBBBBBBBBBBBBBB');
  fs.mkdirSync(path.join(orphan, 'frames'), { recursive: true });
  fs.mkdirSync(path.join(storageDir, 'trash', 'old-abc'), { recursive: true });
  const latest = Math.max(Date.parse(expired.expiresAt), Date.parse(upload.expiresAt));
  await waitFor(() => Date.now() > latest + 20, {
    timeoutMs: 5000,
    intervalMs: 10,
    message: 'the ttl to pass',
  });

  expect(await backend.cleanupExpired()).toBe(2);
  expect(fs.existsSync(sessionDir(expired.sessionId))).toBe(false);
  expect(fs.existsSync(path.join(storageDir, 'uploads', upload.uploadId))).toBe(false);
  expect(fs.existsSync(orphan)).toBe(false);
  expect(fs.readdirSync(sessionDir(live.sessionId)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  expect(fs.readdirSync(framesDir(live.sessionId)).sort()).toEqual(
    (await sessionBlobs(backend, live.sessionId)).map((b) => `${b}.fsf`),
  );
  expect(fs.readdirSync(path.join(storageDir, 'trash'))).toEqual([]);
  assertTablesEqual(await backend.getDataFrame(live.sessionId), makeSmallTable());
  expect(await backend.cleanupExpired()).toBe(0);
});

test('the periodic sweep removes expired sessions without any read, and close() stops it', async () => {
  const backend = await open({}, 50);
  const { sessionId } = await backend.createSession(makeSmallTable(), { ttlSeconds: 1 });
  await waitFor(() => !fs.existsSync(sessionDir(sessionId)), {
    timeoutMs: 10_000,
    intervalMs: 50,
    message: 'the sweep to remove the expired session',
  });
  await backend.close();
  const reader = await open();
  expect(await reader.sessionExists(sessionId)).toBe(false);
});

test('healthCheck reports a writable STORAGE_DIR, and unhealthy when it is gone', async () => {
  const backend = await open();
  await backend.createSession(makeSmallTable());
  const healthy = await backend.healthCheck();
  expect(healthy).toMatchObject({ status: 'healthy', backendType: 'inmemory', activeSessions: 1 });
  expect(healthy.checks.storage_dir?.status).toBe('healthy');
  expect(typeof healthy.checks.storage_dir?.latency_ms).toBe('number');
  expect(healthy.checks.cache?.status).toBe('healthy');
  fs.rmSync(storageDir, { recursive: true, force: true });
  const broken = await backend.healthCheck();
  expect(broken.status).toBe('unhealthy');
  expect(broken.checks.storage_dir?.message).toMatch(/not writable/);
});

test('two instances in one process exclude each other and share one directory', async () => {
  const a = await open();
  const b = await open();
  const { sessionId } = await a.createSession(makeSmallTable(2));
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered: () => void = () => undefined;
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const holder = a.withLock(sessionId, async () => {
    entered();
    await gate;
  });
  await inside;
  await expect(
    b.withLock(sessionId, async () => 1, { retryCount: 1, retryDelayMs: 5 }),
  ).rejects.toMatchObject({
    code: 'LOCK_TIMEOUT',
  });
  release();
  await holder;
  await b.updateDataFrame(sessionId, makeSmallTable(7), { operation: 'edit' });
  assertTablesEqual(await a.getDataFrame(sessionId), makeSmallTable(7));
});

test('a session expiring while held under withLock is reported gone without deadlocking', async () => {
  const backend = await open();
  const { sessionId, expiresAt } = await backend.createSession(makeSmallTable(), { ttlSeconds: 1 });
  const outcome = await backend.withLock(sessionId, async () => {
    await waitFor(() => Date.now() > Date.parse(expiresAt) + 20, { timeoutMs: 5000, intervalMs: 10 });
    const codes: string[] = [];
    for (const call of [() => backend.exportSession(sessionId), () => backend.getDataFrame(sessionId)]) {
      codes.push(
        await call().then(
          () => 'ok',
          (error: { code: string }) => error.code,
        ),
      );
    }
    return codes;
  });
  expect(outcome).toEqual(['SESSION_NOT_FOUND', 'SESSION_NOT_FOUND']);
  expect(fs.existsSync(sessionDir(sessionId))).toBe(false);
}, 20_000);

test('an imported session writes each shared frame once', async () => {
  const backend = await open();
  const { sessionId } = await backend.createSession(makeSmallTable(2));
  await backend.createVersion(sessionId, 'a');
  await backend.createVersion(sessionId, 'b');
  await backend.updateDataFrame(sessionId, makeSmallTable(3), { operation: 'edit' });
  const snapshot = await backend.exportSession(sessionId);
  // two distinct frames (three entries name the first), each column chunk once
  const columns = makeSmallTable(2).numCols;
  expect(Object.keys(snapshot.frames).sort()).toEqual(snapshotBlobs(snapshot));
  expect(Object.keys(snapshot.frames)).toHaveLength(2 * columns);
  await backend.deleteSession(sessionId);
  await backend.importSession(snapshot);
  expect(fs.readdirSync(framesDir(sessionId))).toHaveLength(2 * columns);
  assertTablesEqual(await backend.getVersion(sessionId, 1), makeSmallTable(2));
});

/** A chunked frame's manifest as its side file holds it (state format 2). */
const readManifestFile = (id: string) => (frameId: string) =>
  JSON.parse(fs.readFileSync(path.join(sessionDir(id), `manifest-${frameId}.json`), 'utf8'));

test('a malformed or missing frame manifest is CORRUPT_DATA (its side file, or inline in a format-1 state)', async () => {
  const backend = await open();
  const { sessionId } = await backend.createSession(makeRealisticTable(20, 4));
  expect((await backend.getSession(sessionId)).rows).toBe(20);
  const file = path.join(sessionDir(sessionId), 'state.json');
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { current: { frameId: string } };
  const side = path.join(sessionDir(sessionId), `manifest-${state.current.frameId}.json`);
  const manifest = JSON.parse(fs.readFileSync(side, 'utf8')) as { columns: { chunks: unknown[] }[] };
  manifest.columns[0]!.chunks[0] = 42;
  fs.writeFileSync(side, JSON.stringify(manifest));
  // Read by a process that has not seen the manifest yet (one that has keeps it: manifests never change).
  const other = await open();
  await expect(other.getSession(sessionId)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
  fs.rmSync(side);
  await expect((await open()).getSession(sessionId)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
  // Format 1 kept the manifest inline: malformed there, it is CORRUPT_DATA too, after a good read of it.
  const inline = { ...JSON.parse(fs.readFileSync(file, 'utf8')), format: 1 };
  inline.current = { ...inline.current, manifest };
  delete inline.current.m;
  fs.writeFileSync(file, JSON.stringify(inline));
  await expect(backend.getSession(sessionId)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
});

test('state.json names manifests by their side files: small, and it reads back to the same state', async () => {
  const backend = await open();
  const { sessionId } = await backend.createSession(makeRealisticTable(30, 5), { metadata: { a: [1, 'x'] } });
  await backend.updateDataFrame(sessionId, makeRealisticTable(30, 5, 2), { operation: 'edit' });
  await backend.createVersion(sessionId, 'v');
  const bytes = fs.readFileSync(path.join(sessionDir(sessionId), 'state.json'));
  const raw = JSON.parse(bytes.toString('utf8'));
  expect(raw.format).toBe(2);
  expect(raw.current).toMatchObject({ m: 1 });
  expect(bytes.toString('utf8')).not.toContain('"manifest"');
  expect(bytes.length).toBeLessThan(4096);
  const state = parseState(bytes, sessionId, readManifestFile(sessionId));
  expect(state.current.manifest).toBeDefined();
  expect(state.history.some((entry) => entry.manifest !== undefined)).toBe(true);
  expect(parseState(Buffer.from(serializeState(state)), sessionId, readManifestFile(sessionId))).toEqual(
    state,
  );
  // One side file per chunked frame, and no other: the two frames of the session.
  const sideFiles = fs.readdirSync(sessionDir(sessionId)).filter((name) => name.startsWith('manifest-'));
  expect(sideFiles.sort()).toEqual(
    [...new Set([state.current, ...state.history].map((f) => `manifest-${f.frameId}.json`))].sort(),
  );
  // A frame without a manifest (the whole-frame format) has neither key.
  const whole = { ...state, current: { ...state.current, manifest: undefined } };
  const current = JSON.parse(serializeState(whole)).current;
  expect(current).not.toHaveProperty('manifest');
  expect(current).not.toHaveProperty('m');
});

test('a format-1 state.json (manifests inline) is read as it is; the next commit moves them to side files', async () => {
  const first = makeRealisticTable(30, 5);
  const second = makeRealisticTable(30, 5, 2);
  const writer = await open();
  const { sessionId } = await writer.createSession(first);
  await writer.updateDataFrame(sessionId, second, { operation: 'edit' });
  const dir = sessionDir(sessionId);
  const file = path.join(dir, 'state.json');
  const state = JSON.parse(fs.readFileSync(file, 'utf8'));
  const inline = (entry: { frameId: string; m?: number; manifest?: unknown }) => {
    const { m: _m, ...rest } = entry;
    return { ...rest, manifest: readManifestFile(sessionId)(entry.frameId) };
  };
  const legacy = { ...state, format: 1, current: inline(state.current), history: state.history.map(inline) };
  fs.writeFileSync(file, JSON.stringify(legacy));
  for (const name of fs.readdirSync(dir)) if (name.startsWith('manifest-')) fs.rmSync(path.join(dir, name));
  const reader = await open();
  assertTablesEqual(await reader.getDataFrame(sessionId), second);
  assertTablesEqual(await reader.getVersion(sessionId, 1), first);
  await reader.createVersion(sessionId, 'checkpoint');
  const after = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(after.format).toBe(2);
  expect(fs.readdirSync(dir).filter((name) => name.startsWith('manifest-'))).toHaveLength(2);
  const fresh = await open();
  assertTablesEqual(await fresh.getVersion(sessionId, 1), first);
  assertTablesEqual(await fresh.getDataFrame(sessionId), second);
});
