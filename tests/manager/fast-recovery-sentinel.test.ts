import path from 'node:path';
import { Redis } from 'ioredis';
import type { BackendType } from '../../src/contract/storage-backend.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { type RedisSentinelHandle, startSentinel } from '../helpers/redis-sentinel.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';
import { testEnv } from '../migration/migration-fixtures.js';
import { openRedis } from '../migration/redis-fixtures.js';
import { acknowledgedWriter } from './acknowledged-writes.js';

jest.setTimeout(120_000);

const MASTER = 'fs-failover';
/** Issue 10 targets with default settings: writes on Redis ≤ 2 s after the promotion, ≤ 6 s after kill -9. */
const AFTER_PROMOTION_MS = 2000;
const AFTER_KILL_MS = 6000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let root: string;
let master: RedisServerHandle;
const replicas: RedisServerHandle[] = [];
const sentinels: RedisSentinelHandle[] = [];

/** 1 master + 2 replicas + 3 sentinels (quorum 2, down-after 2 s), as in the runs. */
beforeAll(async () => {
  root = await makeTempDir('fs-sentinel-failover-');
  master = await startRedisServer();
  for (let i = 0; i < 2; i++)
    replicas.push(await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] }));
  for (const replica of replicas) {
    const client = new Redis({ port: replica.port, host: '127.0.0.1', lazyConnect: true });
    try {
      await waitFor(async () => /master_link_status:up/.test(await client.info('replication')), {
        timeoutMs: 15_000,
        message: 'replica in sync',
      });
    } finally {
      client.disconnect();
    }
  }
  for (let i = 0; i < 3; i++)
    sentinels.push(
      await startSentinel(master, MASTER, { downAfterMs: 2000, quorum: 2, failoverTimeoutMs: 10_000 }),
    );
  // A failover needs the sentinels to know each other and the replicas (hello messages every 2 s).
  const probe = new Redis({ port: sentinels[0]!.port, host: '127.0.0.1', lazyConnect: true });
  try {
    await waitFor(
      async () => {
        const others = (await probe.call('SENTINEL', 'sentinels', MASTER)) as unknown[];
        const known = (await probe.call('SENTINEL', 'replicas', MASTER)) as unknown[];
        return others.length === 2 && known.length === 2;
      },
      { timeoutMs: 20_000, message: 'sentinels to discover each other and the replicas' },
    );
  } finally {
    probe.disconnect();
  }
});
afterAll(async () => {
  for (const sentinel of sentinels) await sentinel.stop().catch(() => undefined);
  for (const server of [master, ...replicas]) await server?.stop().catch(() => undefined);
  await removeTempDir(root);
});

test('Sentinel failover after kill -9 of the master, REDIS_WAIT_REPLICAS=1: writes resume on the promoted replica within 2 s of the promotion, none lost', async () => {
  const dir = path.join(root, 'manager');
  const manager = await createDataManager({
    env: {
      ...testEnv(dir),
      LOG_LEVEL: process.env.FS_LOG ?? 'silent',
      REDIS_ENABLED: 'true',
      STORAGE_FALLBACK_TO_MEMORY: 'true',
      REDIS_SENTINELS: sentinels.map((s) => s.sentinelsEnv).join(','),
      REDIS_SENTINEL_MASTER: MASTER,
      // An acknowledged write is on a replica too, so the promotion cannot lose it.
      REDIS_WAIT_REPLICAS: '1',
    },
  });
  const { write, state } = acknowledgedWriter(manager);
  const acknowledged = state.acknowledged;
  const watcher = new Redis({ port: sentinels[1]!.port, host: '127.0.0.1', lazyConnect: true });
  try {
    for (let i = 0; i < 5; i++) expect(await write()).toBe('redis');
    // Both replicas have them, whichever is promoted.
    const direct = new Redis({ port: master.port, host: '127.0.0.1', lazyConnect: true });
    expect(await direct.call('WAIT', '2', '2000')).toBe(2);
    direct.disconnect();

    await master.kill('SIGKILL');
    const killed = performance.now();
    state.longestMs = 0;
    let promotedMs: number | undefined;
    const promotion = waitFor(
      async () => {
        const addr = (await watcher.call('SENTINEL', 'get-master-addr-by-name', MASTER)) as string[];
        if (addr[1] === String(master.port)) return false;
        promotedMs = performance.now() - killed;
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 20, message: 'a replica to be promoted' },
    );
    promotion.catch(() => undefined);

    const seen: (BackendType | 'failed')[] = [];
    let resumedMs: number | undefined;
    for (let attempt = 0; attempt < 3000 && resumedMs === undefined; attempt++) {
      const where = await write();
      if (seen.at(-1) !== where) seen.push(where);
      if (where === 'redis' && seen.length > 1) resumedMs = performance.now() - killed;
      else await pause(10);
    }
    await promotion;
    await waitFor(
      () => manager.getWriteBackBacklog().length === 0 && manager.getCircuitState() === 'closed',
      {
        timeoutMs: 20_000,
        message: 'the outage writes written back',
      },
    );
    const health = await manager.healthCheck();
    console.log(
      `sentinel failover (kill -9, down-after 2 s, REDIS_WAIT_REPLICAS=1): promoted after ${promotedMs?.toFixed(0)} ms; ` +
        `writes on Redis again ${resumedMs?.toFixed(0)} ms after kill, ` +
        `${((resumedMs ?? 0) - (promotedMs ?? 0)).toFixed(0)} ms after promotion; stores in turn: ${seen.join(' → ')}; ` +
        `health ${health.status}; ${acknowledged.length} writes acknowledged, ${state.refused} refused; ` +
        `longest call ${state.longestMs.toFixed(0)} ms`,
    );
    expect(resumedMs).toBeDefined();
    expect(seen[0]).toBe('failed'); // the calls that open the circuit, before the local store takes over
    expect(resumedMs!).toBeLessThanOrEqual(AFTER_KILL_MS);
    expect(resumedMs! - promotedMs!).toBeLessThanOrEqual(AFTER_PROMOTION_MS);
    expect(health.status).toBe('healthy');

    // Every acknowledged write — on the old master before the kill, locally during it, on the new master
    // after — is on the promoted master now.
    const [host, port] = (await watcher.call('SENTINEL', 'get-master-addr-by-name', MASTER)) as string[];
    const promoted = await openRedis(`redis://${host}:${port}`, dir);
    try {
      const missing: string[] = [];
      for (const id of acknowledged) if (!(await promoted.sessionExists(id))) missing.push(id);
      expect(missing).toEqual([]);
    } finally {
      await promoted.close();
    }
  } finally {
    watcher.disconnect();
    await manager.close();
  }
});
