import type { Redis } from 'ioredis';
import type { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { newIdInSlot, slotOf } from '../../src/backends/redis/redis-keys.js';
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
    expect(suffixes.filter((s) => !s.startsWith('frame:')).sort()).toEqual([
      'audit',
      'blobs',
      'marks',
      'meta',
      'opq',
      'ops',
      'state',
    ]);
    // one key per column chunk of the two frames
    expect(suffixes.filter((s) => s.startsWith('frame:')).sort()).toEqual(
      (await sessionBlobs(backend, sessionId)).map((blob) => `frame:${blob}`),
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
      const frames = (await keysOf(raw, capped.keys.prefix, sessionId)).filter((key) =>
        key.includes(':frame:'),
      );
      const columns = makeSmallTable(1).numCols;
      const named = async () =>
        (await sessionBlobs(capped, sessionId)).map((blob) => capped.keys.frameKeys(sessionId, blob, 1)[0]);
      expect(frames.sort()).toEqual(await named());
      expect(frames).toHaveLength(3 * columns); // current + 2 versions
      await capped.undoLastChange(sessionId);
      await capped.updateDataFrame(sessionId, makeSmallTable(9), { operation: 'e' }); // clears redo
      const after = (await keysOf(raw, capped.keys.prefix, sessionId)).filter((key) =>
        key.includes(':frame:'),
      );
      expect(after.sort()).toEqual(await named());
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

  test('loads check the blob keys through the blobs set while it is current, and parse fk when it is stale', async () => {
    const { sessionId } = await backend.createSession(makeRealisticTable(50, 6));
    await backend.updateDataFrame(sessionId, makeRealisticTable(50, 6, 2), { operation: 'edit' });
    const blobsKey = `${backend.keys.prefix}{${sessionId}}:blobs`;
    const frameKeys = (await keysOf(raw, backend.keys.prefix, sessionId)).filter((key) =>
      key.includes(':frame:'),
    );
    expect((await raw.smembers(blobsKey)).sort()).toEqual(frameKeys.sort());
    const state = backend.keys.state(sessionId);
    expect(await raw.hget(state, 'brev')).toBe(await raw.hget(state, 'rev'));
    // While current, the set is what a load checks: a key listed there and missing is a partial session.
    await raw.sadd(blobsKey, `${backend.keys.prefix}{${sessionId}}:frame:xNotThere`);
    await expectCode(() => backend.getSession(sessionId), 'CORRUPT_DATA');
    // A writer that does not keep the set (an older version) leaves brev behind: fk is read instead.
    await raw.hset(state, 'brev', 'stale');
    expect((await backend.getSession(sessionId)).version).toBe(2);
    expect(await raw.del(frameKeys[0]!)).toBe(1);
    await expectCode(() => backend.getSession(sessionId), 'CORRUPT_DATA');
    expect(await backend.deleteSession(sessionId)).toBe(true);
    expect(await raw.exists(blobsKey)).toBe(0);
  });

  test('a partially evicted session is CORRUPT_DATA, never served half', async () => {
    const { sessionId } = await backend.createSession(makeSmallTable(3));
    await backend.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'edit' });
    // a chunk only the history frame names
    const snapshot = await backend.exportSession(sessionId);
    const current = new Set(currentBlobs(snapshot));
    const oldChunk = blobsOf(snapshot.history[0]!).find((blob) => !current.has(blob)) as string;
    expect(await raw.del(backend.keys.frameKeys(sessionId, oldChunk, 1)[0]!)).toBe(1);
    await expectCode(() => backend.getDataFrame(sessionId), 'CORRUPT_DATA');
    await expectCode(() => backend.getSession(sessionId), 'CORRUPT_DATA');
    await expectCode(() => backend.undoLastChange(sessionId), 'CORRUPT_DATA');
    await expectCode(() => backend.exportSession(sessionId), 'CORRUPT_DATA');
    expect(await raw.hget(backend.keys.state(sessionId), 'v')).toBe('2');
    expect(await backend.deleteSession(sessionId)).toBe(true);
    expect(await keysOf(raw, backend.keys.prefix, sessionId)).toEqual([
      expect.stringMatching(/:gone:[A-Za-z0-9_-]+$/),
    ]);
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
      const chunks = (await keysOf(raw, chunked.keys.prefix, info.sessionId)).filter((k) =>
        k.includes(':frame:'),
      );
      // every column chunk over 16 kB is stored in 16 kB parts
      const stored = await chunked.exportSession(info.sessionId);
      const parts = Object.values(stored.frames).reduce(
        (n, bytes) => n + Math.ceil(bytes.length / (16 * 1024)),
        0,
      );
      expect(parts).toBeGreaterThan(Object.keys(stored.frames).length);
      expect(chunks.length).toBe(parts);
      for (const key of chunks) expect(await raw.strlen(key)).toBeLessThanOrEqual(16 * 1024);
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
        const victim = chunks.find((key) => key.includes(currentBlobs(snapshot)[0]!)) as string;
        const byte = await raw.getrangeBuffer(victim, 100, 100);
        await raw.setrange(victim, 100, Buffer.from([(byte[0] as number) ^ 1]));
        await expectCode(() => fresh.getDataFrame(info.sessionId), 'CORRUPT_DATA');
        await raw.del(victim);
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
