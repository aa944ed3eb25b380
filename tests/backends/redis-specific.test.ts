import type { Redis } from 'ioredis';
import type { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { newIdInSlot, slotOf } from '../../src/backends/redis/redis-keys.js';
import { SCRIPTS } from '../../src/backends/redis/redis-scripts.js';
import { blobsOf } from '../../src/session/chunks/manifest.js';
import { expectCode } from '../contract/contract-context.js';
import { currentBlobs, sessionBlobs } from '../helpers/blobs.js';
import { commandCalls, connectBackend, keysOf, rawClient } from '../helpers/redis-harness.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { waitFor } from '../helpers/wait-for.js';

/** Key layout, TTLs, the index, eviction safety, chunking and size limits on a real redis-server. */

describe('RedisBackend on Redis', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let backend: RedisBackend;
  beforeAll(async () => {
    server = await startRedisServer();
    raw = rawClient(server);
    backend = await connectBackend(server);
  });
  afterAll(async () => {
    await backend.close();
    raw.disconnect();
    await server.stop();
  });

  /** PEXPIRETIME of every key of a session (absolute expiry, ms). */
  async function expiries(id: string): Promise<Map<string, number>> {
    const keys = await keysOf(raw, backend.keys.prefix, id);
    const times = await Promise.all(keys.map((key) => raw.call('PEXPIRETIME', key) as Promise<number>));
    return new Map(keys.map((key, i) => [key, times[i] as number]));
  }

  test('every key of a session carries its hash tag and one shared expiry, refreshed together on read', async () => {
    const { sessionId } = await backend.createSession(makeSmallTable(3), {
      metadata: { a: 1 },
      ttlSeconds: 300,
    });
    await backend.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'edit' });
    await backend.createVersion(sessionId, 'v');
    await backend.markIntentionalMissing(sessionId, { row: 0, column: 'id' });
    const first = await expiries(sessionId);
    const suffixes = [...first.keys()].map((key) =>
      key.slice(`${backend.keys.prefix}{${sessionId}}:`.length),
    );
    expect(suffixes.sort()).toEqual(['audit', 'frames', 'marks', 'meta', 'opq', 'ops', 'state']);
    // one field of the frames hash per column chunk of the two frames
    expect((await raw.hkeys(backend.keys.frames(sessionId))).sort()).toEqual(
      await sessionBlobs(backend, sessionId),
    );
    expect(new Set(first.values()).size).toBe(1);
    const [expiry] = first.values();
    expect(Math.abs((expiry as number) - Date.now() - 300_000)).toBeLessThan(5_000);
    await waitFor(() => Date.now() > (expiry as number) - 300_000 + 20, { intervalMs: 5 });
    await backend.getDataFrame(sessionId);
    const second = await expiries(sessionId);
    expect([...second.keys()]).toEqual([...first.keys()]);
    expect(new Set(second.values()).size).toBe(1);
    expect([...second.values()][0]).toBeGreaterThan(expiry as number);
  });

  test('frames that fall off the history are deleted in the same step', async () => {
    const capped = await connectBackend(server, { MAX_VERSIONS: '2' });
    try {
      const { sessionId } = await capped.createSession(makeSmallTable(1));
      for (let k = 2; k <= 6; k += 1)
        await capped.updateDataFrame(sessionId, makeSmallTable(k), { operation: 'e' });
      const stored = async () => (await raw.hkeys(capped.keys.frames(sessionId))).sort();
      const frames = await stored();
      const columns = makeSmallTable(1).numCols;
      expect(frames).toEqual(await sessionBlobs(capped, sessionId));
      expect(frames).toHaveLength(3 * columns); // current + 2 versions
      await capped.undoLastChange(sessionId);
      await capped.updateDataFrame(sessionId, makeSmallTable(9), { operation: 'e' }); // clears redo
      const after = await stored();
      expect(after).toEqual(await sessionBlobs(capped, sessionId));
      expect(after).toHaveLength(3 * columns);
      expect(await capped.deleteSession(sessionId)).toBe(true);
      expect(await keysOf(raw, capped.keys.prefix, sessionId)).toEqual([
        expect.stringMatching(/:gone:[A-Za-z0-9_-]+$/), // the delete's one-minute outcome tombstone
      ]);
    } finally {
      await capped.close();
    }
  });

  test('listing, counting and cleanup never use KEYS or SCAN; expired ids leave the index', async () => {
    const other = await connectBackend(server);
    try {
      const live = await other.createSession(makeSmallTable());
      const doomed = await other.createSession(makeSmallTable(), { ttlSeconds: 1 });
      await raw.config('RESETSTAT');
      await waitFor(async () => (await raw.exists(other.keys.state(doomed.sessionId))) === 0, {
        timeoutMs: 10_000,
      });
      const listed = (await other.listSessions({ limit: 1000 })).sessions.map((s) => s.sessionId);
      expect(listed).toEqual([live.sessionId]);
      expect(await other.countSessions()).toBe(1);
      await other.cleanupExpired();
      const calls = await commandCalls(raw);
      expect(calls.keys ?? 0).toBe(0);
      expect(calls.scan ?? 0).toBe(0);
      expect(await raw.zrange(other.keys.sessionIndex, 0, -1)).toEqual([live.sessionId]);
    } finally {
      await other.close();
    }
  });

  test('a lost index is rebuilt by the SCAN fallback', async () => {
    const other = await connectBackend(server);
    try {
      const a = await other.createSession(makeSmallTable());
      const up = await other.storeTempSheets({ S: makeSmallTable() });
      await raw.del(other.keys.sessionIndex, other.keys.uploadIndex);
      expect((await other.listSessions()).sessions).toEqual([]);
      expect(await other.rebuildIndex()).toEqual({ sessions: 1, uploads: 1 });
      expect((await other.listSessions()).sessions.map((s) => s.sessionId)).toEqual([a.sessionId]);
      expect((await other.listTempUploads()).uploads.map((u) => u.uploadId)).toEqual([up.uploadId]);
    } finally {
      await other.close();
    }
  });

  test('healthCheck flags every maxmemory-policy that can evict session keys', async () => {
    try {
      for (const policy of ['volatile-lru', 'allkeys-lru', 'volatile-ttl', 'allkeys-random']) {
        await raw.config('SET', 'maxmemory-policy', policy);
        const report = await backend.healthCheck();
        expect(report.status).toBe('degraded');
        expect(report.checks.maxmemory_policy?.status).toBe('degraded');
        expect(report.redisInfo).toMatchObject({
          connected: true,
          mode: 'standalone',
          maxmemory_policy: policy,
        });
      }
    } finally {
      await raw.config('SET', 'maxmemory-policy', 'noeviction');
    }
    const report = await backend.healthCheck();
    expect(report.status).toBe('healthy');
    expect(report.redisInfo).toMatchObject({ maxmemory_policy: 'noeviction', persistence: 'none' });
    expect(report.redisInfo?.version).toMatch(/^\d+\.\d+/);
    expect(report.redisInfo?.used_memory_bytes).toBeGreaterThan(0);
    expect(report.redisInfo?.nodes).toEqual([
      {
        address: `127.0.0.1:${server.port}`,
        role: 'master',
        status: 'ok',
        used_memory_bytes: expect.any(Number),
      },
    ]);
  });

  test('healthCheck reports persistence (aof, rdb, both)', async () => {
    try {
      await raw.config('SET', 'appendonly', 'yes');
      expect((await backend.healthCheck()).redisInfo?.persistence).toBe('aof');
      await raw.config('SET', 'save', '3600 1');
      expect((await backend.healthCheck()).redisInfo?.persistence).toBe('aof+rdb');
      await raw.config('SET', 'appendonly', 'no');
      expect((await backend.healthCheck()).redisInfo?.persistence).toBe('rdb');
    } finally {
      await raw.config('SET', 'appendonly', 'no');
      await raw.config('SET', 'save', '');
    }
  });

  test('manifests live in one field per frame: a version move rewrites no manifest, a dropped frame takes its field', async () => {
    const capped = await connectBackend(server, { MAX_VERSIONS: '2' });
    try {
      const { sessionId } = await capped.createSession(makeSmallTable(3));
      for (let k = 4; k <= 7; k += 1)
        await capped.updateDataFrame(sessionId, makeSmallTable(k), { operation: 'e' });
      await capped.createVersion(sessionId, 'checkpoint');
      const snapshot = await capped.exportSession(sessionId);
      const named = [snapshot.currentFrameId, ...snapshot.history.map((h) => h.frameId)].map((f) => `m:${f}`);
      const fields = (await raw.hkeys(capped.keys.state(sessionId))).filter((name) => name.startsWith('m:'));
      expect(fields.sort()).toEqual([...new Set(named)].sort());
      // The history entries name frames, not chunks.
      const hist = (await raw.hget(capped.keys.state(sessionId), 'hist')) ?? '';
      for (const chunk of currentBlobs(snapshot)) expect(hist).not.toContain(chunk);
    } finally {
      await capped.close();
    }
  });

  /** Rewrites a session as the layout before the frames hash stored it: a string key per blob, a 'blobs' set. */
  async function asLegacyLayout(id: string): Promise<string[]> {
    const base = `${backend.keys.prefix}{${id}}:`;
    const state = backend.keys.state(id);
    const at = (await raw.call('PEXPIRETIME', state)) as number;
    const blobs = await raw.hgetallBuffer(backend.keys.frames(id));
    const keys: string[] = [];
    for (const [field, bytes] of Object.entries(blobs)) {
      keys.push(`${base}frame:${field}`);
      await raw.set(`${base}frame:${field}`, bytes, 'PXAT', at);
    }
    await raw.sadd(`${base}blobs`, ...keys);
    await raw.pexpireat(`${base}blobs`, at);
    await raw.del(backend.keys.frames(id));
    await raw.hdel(state, 'lay');
    await raw.hset(state, 'brev', (await raw.hget(state, 'rev')) ?? '');
    return keys;
  }

  test('sessions stored a key per blob (before the frames hash) are moved into it by the first script that touches them', async () => {
    const first = makeRealisticTable(300, 6);
    const second = makeRealisticTable(300, 6, 2);
    const { sessionId } = await backend.createSession(first);
    await backend.updateDataFrame(sessionId, second, { operation: 'edit' });
    const blobs = await sessionBlobs(backend, sessionId);
    const legacy = await asLegacyLayout(sessionId);
    expect(legacy).toHaveLength(blobs.length);
    const fresh = await connectBackend(server, { REDIS_KEY_PREFIX: backend.keys.prefix }, { cacheBytes: 0 });
    try {
      assertTablesEqual(await fresh.getDataFrame(sessionId), second);
      assertTablesEqual(await fresh.getVersion(sessionId, 1), first);
      expect((await raw.hkeys(fresh.keys.frames(sessionId))).sort()).toEqual(blobs);
      const keys = await keysOf(raw, fresh.keys.prefix, sessionId);
      expect(keys.filter((key) => key.includes(':frame:') || key.endsWith(':blobs'))).toEqual([]);
      expect(await raw.hget(fresh.keys.state(sessionId), 'lay')).toBe('2');
      expect(await raw.hexists(fresh.keys.state(sessionId), 'brev')).toBe(0);
      const times = await Promise.all(keys.map((key) => raw.call('PEXPIRETIME', key) as Promise<number>));
      expect(new Set(times).size).toBe(1);
      await fresh.undoLastChange(sessionId);
      assertTablesEqual(await fresh.getDataFrame(sessionId), first);

      // A legacy session missing one blob key is CORRUPT_DATA and is left as it was.
      const other = await fresh.createSession(first);
      await fresh.updateDataFrame(other.sessionId, second, { operation: 'edit' });
      const otherKeys = await asLegacyLayout(other.sessionId);
      expect(await raw.del(otherKeys[0]!)).toBe(1);
      await expectCode(() => fresh.getSession(other.sessionId), 'CORRUPT_DATA');
      await expectCode(() => fresh.createVersion(other.sessionId, 'x'), 'CORRUPT_DATA');
      expect(await raw.exists(fresh.keys.frames(other.sessionId))).toBe(0);
      expect(await raw.exists(...otherKeys.slice(1))).toBe(otherKeys.length - 1);
      // It can still be replaced whole (an import with overwrite), which leaves no legacy key behind.
      const replacement = { ...(await fresh.exportSession(sessionId)), sessionId: other.sessionId };
      await fresh.importSession(replacement, { overwrite: true });
      assertTablesEqual(await fresh.getDataFrame(other.sessionId), first);
      const replaced = await keysOf(raw, fresh.keys.prefix, other.sessionId);
      expect(replaced.filter((key) => key.includes(':frame:') || key.endsWith(':blobs'))).toEqual([]);
      // A legacy session is deleted with every legacy key.
      const third = await fresh.createSession(first);
      const thirdKeys = await asLegacyLayout(third.sessionId);
      expect(await raw.del(thirdKeys[0]!)).toBe(1);
      expect(await fresh.deleteSession(third.sessionId)).toBe(true);
      expect(await keysOf(raw, fresh.keys.prefix, third.sessionId)).toEqual([
        expect.stringMatching(/:gone:[A-Za-z0-9_-]+$/),
      ]);
    } finally {
      await fresh.close();
    }
  });

  test('a partially evicted session is CORRUPT_DATA, never served half', async () => {
    const { sessionId } = await backend.createSession(makeSmallTable(3));
    await backend.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'edit' });
    // Its blobs are one hash, evicted as a whole.
    expect(await raw.del(backend.keys.frames(sessionId))).toBe(1);
    await expectCode(() => backend.getDataFrame(sessionId), 'CORRUPT_DATA');
    await expectCode(() => backend.getSession(sessionId), 'CORRUPT_DATA');
    await expectCode(() => backend.undoLastChange(sessionId), 'CORRUPT_DATA');
    await expectCode(() => backend.exportSession(sessionId), 'CORRUPT_DATA');
    expect(await raw.hget(backend.keys.state(sessionId), 'v')).toBe('2');
    expect(await backend.deleteSession(sessionId)).toBe(true);
    expect(await keysOf(raw, backend.keys.prefix, sessionId)).toEqual([
      expect.stringMatching(/:gone:[A-Za-z0-9_-]+$/),
    ]);
    // One blob gone from the hash (an operator's HDEL): the frames that name it are CORRUPT_DATA when read.
    const third = await backend.createSession(makeSmallTable(3));
    await backend.updateDataFrame(third.sessionId, makeSmallTable(4), { operation: 'edit' });
    const snapshot = await backend.exportSession(third.sessionId);
    const current = new Set(currentBlobs(snapshot));
    const oldChunk = blobsOf(snapshot.history[0]!).find((blob) => !current.has(blob)) as string;
    expect(await raw.hdel(backend.keys.frames(third.sessionId), oldChunk)).toBe(1);
    const cold = await connectBackend(server, { REDIS_KEY_PREFIX: backend.keys.prefix }, { cacheBytes: 0 });
    try {
      await expectCode(() => cold.getVersion(third.sessionId, 1), 'CORRUPT_DATA');
      await expectCode(() => cold.exportSession(third.sessionId), 'CORRUPT_DATA');
      assertTablesEqual(await cold.getDataFrame(third.sessionId), makeSmallTable(4));
    } finally {
      await cold.close();
    }
    const second = await backend.createSession(makeSmallTable(3));
    await raw.del(backend.keys.audit(second.sessionId));
    await expectCode(() => backend.getMetadata(second.sessionId), 'CORRUPT_DATA');
    await expectCode(() => backend.addAuditEntry(second.sessionId, { operation: 'note' }), 'CORRUPT_DATA');
  });

  test('large frames are stored in chunks under the hash tag and reassembled, checksum-verified', async () => {
    const chunked = await connectBackend(server, {}, { chunkBytes: 16 * 1024 });
    try {
      const table = makeRealisticTable(2000, 20);
      const info = await chunked.createSession(table);
      const framesKey = chunked.keys.frames(info.sessionId);
      const chunks = await raw.hkeys(framesKey);
      // every column chunk over 16 kB is stored in 16 kB parts
      const stored = await chunked.exportSession(info.sessionId);
      const parts = Object.values(stored.frames).reduce(
        (n, bytes) => n + Math.ceil(bytes.length / (16 * 1024)),
        0,
      );
      expect(parts).toBeGreaterThan(Object.keys(stored.frames).length);
      expect(chunks.length).toBe(parts);
      for (const field of chunks) expect(await raw.hstrlen(framesKey, field)).toBeLessThanOrEqual(16 * 1024);
      // nothing waits in a stage key once the commit moved it into the hash
      expect(
        (await keysOf(raw, chunked.keys.prefix, info.sessionId)).filter((k) => k.includes(':stage:')),
      ).toEqual([]);
      assertTablesEqual(await chunked.getDataFrame(info.sessionId), table);
      // A frame small enough to travel inside the script call is still split when it exceeds the chunk size.
      const modest = makeRealisticTable(600, 12);
      const small = await chunked.createSession(modest);
      expect(small.bytes).toBeGreaterThan(16 * 1024);
      await chunked.updateDataFrame(small.sessionId, modest.slice(0, 150), { operation: 'trim' });
      await chunked.undoLastChange(small.sessionId);
      assertTablesEqual(await chunked.getDataFrame(small.sessionId), modest);
      const fresh = await connectBackend(
        server,
        { REDIS_KEY_PREFIX: chunked.keys.prefix },
        { cacheBytes: 0 },
      );
      try {
        assertTablesEqual(await fresh.getDataFrame(info.sessionId), table);
        const next = makeRealisticTable(2100, 20, 2);
        await fresh.updateDataFrame(info.sessionId, next, { operation: 'grow' });
        assertTablesEqual(await fresh.getVersion(info.sessionId, 1), table);
        await fresh.undoLastChange(info.sessionId);
        assertTablesEqual(await fresh.getDataFrame(info.sessionId), table);
        const snapshot = await fresh.exportSession(info.sessionId);
        const current = currentBlobs(snapshot).reduce((n, blob) => n + snapshot.frames[blob]!.length, 0);
        expect(current).toBe(info.bytes);
        // A flipped byte in one chunk is caught by the checksum; a missing chunk is CORRUPT_DATA too.
        const victim = chunks.find((field) => field.includes(currentBlobs(snapshot)[0]!)) as string;
        const bytes = (await raw.hgetBuffer(framesKey, victim)) as Buffer;
        bytes[100] = (bytes[100] as number) ^ 1;
        await raw.hset(framesKey, victim, bytes);
        await expectCode(() => fresh.getDataFrame(info.sessionId), 'CORRUPT_DATA');
        await raw.hdel(framesKey, victim);
        await expectCode(() => fresh.getDataFrame(info.sessionId), 'CORRUPT_DATA');
      } finally {
        await fresh.close();
      }
      const upload = await chunked.storeTempSheets({ Big: table });
      assertTablesEqual(await chunked.getTempSheet(upload.uploadId, 'Big'), table);
      const promoted = await chunked.promoteTempSheet(upload.uploadId, 'Big');
      assertTablesEqual(await chunked.getDataFrame(promoted.sessionId), table);
    } finally {
      await chunked.close();
    }
  });

  test('an upload whose sheet frame is damaged or gone is CORRUPT_DATA on read and export; deleting it still works', async () => {
    const upload = await backend.storeTempSheets({ A: makeSmallTable(3), B: makeSmallTable(4) });
    const [key] = backend.keys.sheetKeys(
      upload.uploadId,
      JSON.parse((await raw.hget(backend.keys.upload(upload.uploadId), 'sheets')) as string)[0].f,
      1,
    );
    const bytes = (await raw.getBuffer(key as string)) as Buffer;
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 1;
    await raw.set(key as string, bytes, 'KEEPTTL');
    await expectCode(() => backend.getTempSheet(upload.uploadId, 'A'), 'CORRUPT_DATA');
    await raw.del(key as string);
    await expectCode(() => backend.getTempSheet(upload.uploadId, 'A'), 'CORRUPT_DATA');
    await expectCode(() => backend.exportTempUpload(upload.uploadId), 'CORRUPT_DATA');
    assertTablesEqual(await backend.getTempSheet(upload.uploadId, 'B'), makeSmallTable(4));
    expect(await backend.deleteTemp(upload.uploadId)).toBe(true);
    await expectCode(() => backend.getTempSheet(upload.uploadId, 'A'), 'UPLOAD_NOT_FOUND');
  });

  test('an oversize frame is refused before anything is sent', async () => {
    const small = await connectBackend(server, { MAX_DATAFRAME_SIZE_MB: '0.05' });
    try {
      const big = makeRealisticTable(2000, 20);
      await raw.config('RESETSTAT');
      await expectCode(() => small.createSession(big), 'PAYLOAD_TOO_LARGE');
      await expectCode(() => small.storeTempSheets({ A: makeSmallTable(), B: big }), 'PAYLOAD_TOO_LARGE');
      const calls = await commandCalls(raw);
      for (const command of ['evalsha', 'eval', 'set', 'zadd', 'hset']) expect(calls[command] ?? 0).toBe(0);
    } finally {
      await small.close();
    }
  });

  test('a load answers "same" to a process holding the stored revision, and the full state after any commit', async () => {
    const other = await connectBackend(server, { REDIS_KEY_PREFIX: backend.keys.prefix });
    try {
      const { sessionId } = await backend.createSession(makeSmallTable(3), { metadata: { a: 1 } });
      expect(await backend.getMetadata(sessionId)).toEqual({ a: 1 });
      // Held revision still stored: the reply is two short values; another revision gets the whole state.
      const state = backend.keys.state(sessionId);
      const rev = (await raw.hget(state, 'rev')) as string;
      const load = (held: string) => raw.eval(SCRIPTS.fsLoad.lua, 1, state, 'peek', '', held);
      expect(await load(rev)).toEqual(['same', expect.stringMatching(/^\d+$/)]);
      expect(((await load('other')) as unknown[]).length).toBeGreaterThan(2);
      // and the expiry still slides
      const before = (await backend.getSession(sessionId)).expiresAt;
      await waitFor(() => Date.now() > Date.parse(before) - 3_600_000 + 30, { intervalMs: 5 });
      expect(Date.parse((await backend.getSession(sessionId)).expiresAt)).toBeGreaterThan(Date.parse(before));
      // Every kind of commit by another process changes the revision: each is seen by the next load here.
      await other.updateMetadata(sessionId, { a: 2 });
      expect(await backend.getMetadata(sessionId)).toEqual({ a: 2 });
      await other.addAuditEntry(sessionId, { operation: 'note' });
      expect((await backend.getAuditLog(sessionId)).map((entry) => entry.operation)).toEqual([
        'upload',
        'note',
      ]);
      await other.markIntentionalMissing(sessionId, { row: 0, column: 'id' });
      expect(await backend.getIntentionalMissing(sessionId)).toHaveLength(1);
      await other.updateDataFrame(sessionId, makeSmallTable(5), { operation: 'grow' });
      expect((await backend.getDataFrame(sessionId)).numRows).toBe(5);
      expect((await backend.getSession(sessionId)).version).toBe(2);
    } finally {
      await other.close();
    }
  });

  test('the decoded-frame cache serves the frame an update wrote and forgets frames the commit deleted', async () => {
    const fresh = await connectBackend(server, { MAX_VERSIONS: '2' });
    try {
      const { sessionId } = await fresh.createSession(makeSmallTable(3));
      const tables = [4, 5, 6, 7, 8].map((rows) => makeSmallTable(rows));
      for (const table of tables) {
        await fresh.updateDataFrame(sessionId, table, { operation: 'edit' });
        const before = (await fresh.getStats()).cache;
        assertTablesEqual(await fresh.getDataFrame(sessionId), table);
        const after = (await fresh.getStats()).cache;
        // every column chunk of the frame just written is a hit
        expect(after?.hits).toBe((before?.hits ?? 0) + table.numCols);
        expect(after?.misses).toBe(before?.misses);
      }
      // current + 2 history frames; the chunks of the three that fell off the history are gone from the cache
      const columns = makeSmallTable(3).numCols;
      expect((await fresh.getStats()).cache?.entries).toBe(3 * columns);
      await fresh.undoLastChange(sessionId);
      await fresh.restoreVersion(sessionId, (await fresh.listVersions(sessionId))[0]!.version);
      expect((await fresh.getStats()).cache?.entries).toBeLessThanOrEqual(3 * columns);
    } finally {
      await fresh.close();
    }
  });

  test('session ids can be drawn in a given cluster slot (promote on Cluster)', () => {
    expect(slotOf('123456789')).toBe(12739); // the CRC16/XMODEM check value, as Redis Cluster uses it
    for (const slot of [0, 5461, 16383]) expect(slotOf(newIdInSlot(slot))).toBe(slot);
  });
});
