import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { IdempotencyStore } from '../../src/contract/idempotency.js';
import { connectBackend } from '../helpers/redis-harness.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The Idempotency-Key claim protocol (src/contract/idempotency.ts) over each store's expiring values: two
 * backends over the same storage stand for two servers sharing it.
 */
const response = { status: 201, contentType: 'application/json', body: Buffer.from('{}').toString('base64') };

function protocolTests(open: () => Promise<[IdempotencyStore, IdempotencyStore]>): void {
  test('one claim wins; the other sees it pending, then done with its response', async () => {
    const [a, b] = await open();
    const key = `k${Math.random().toString(36).slice(2)}`;
    const first = await a.claim(key, 'POST /sessions #1', 60_000);
    expect(first.state).toBe('claimed');
    expect(await b.claim(key, 'POST /sessions #1', 60_000)).toEqual({
      state: 'pending',
      fingerprint: 'POST /sessions #1',
    });
    if (first.state !== 'claimed') throw new Error('unreachable');
    // Only the holder's token completes it.
    await b.complete(key, 'not-the-token', 'POST /sessions #1', { ...response, status: 500 }, 60_000);
    await a.complete(key, first.token, 'POST /sessions #1', response, 60_000);
    expect(await b.claim(key, 'POST /sessions #1', 60_000)).toEqual({
      state: 'done',
      fingerprint: 'POST /sessions #1',
      response,
    });
    // A completed key is no longer the pending value: releasing it with the old token changes nothing.
    await a.release(key, first.token);
    expect((await b.claim(key, 'POST /sessions #1', 60_000)).state).toBe('done');
  });

  test('a released claim, and one whose holder vanished past its pending time, can be claimed again', async () => {
    const [a, b] = await open();
    const key = `k${Math.random().toString(36).slice(2)}`;
    const first = await a.claim(key, 'f', 60_000);
    if (first.state !== 'claimed') throw new Error(`expected a claim, got ${first.state}`);
    await b.release(key, 'not-the-token');
    expect((await b.claim(key, 'f', 60_000)).state).toBe('pending');
    await a.release(key, first.token);
    const second = await b.claim(key, 'f', 50);
    expect(second.state).toBe('claimed');
    // b never completes: after 50 ms the key is free again.
    await waitFor(async () => (await a.claim(key, 'f', 60_000)).state === 'claimed', { timeoutMs: 5_000 });
  });
}

describe('idempotency keys on disk', () => {
  let dir: string;
  const backends: InMemoryBackend[] = [];
  beforeAll(async () => {
    dir = await makeTempDir('framestore-idempotency-');
  });
  afterAll(async () => {
    for (const backend of backends) await backend.close();
    await removeTempDir(dir);
  });
  protocolTests(async () => {
    const open = () => InMemoryBackend.open(loadConfig({ STORAGE_DIR: dir }), { sweepIntervalMs: 0 });
    const pair = [await open(), await open()];
    backends.push(...pair);
    return [pair[0]!.idempotency, pair[1]!.idempotency];
  });
});

describe('idempotency keys on Redis', () => {
  let server: RedisServerHandle;
  const backends: Awaited<ReturnType<typeof connectBackend>>[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const backend of backends) await backend.close();
    await server?.stop();
  });
  protocolTests(async () => {
    const a = await connectBackend(server);
    const b = await connectBackend(server, { REDIS_KEY_PREFIX: a.keys.prefix });
    backends.push(a, b);
    return [a.idempotency, b.idempotency];
  });
});
