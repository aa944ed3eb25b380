import { Redis } from 'ioredis';
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import { uniquePrefix } from '../helpers/redis-harness.js';
import { type RedisSentinelHandle, startSentinel } from '../helpers/redis-sentinel.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeRealisticTable } from '../helpers/tables.js';
import { waitFor } from '../helpers/wait-for.js';

/** REDIS_SENTINELS + REDIS_SENTINEL_MASTER: the backend finds the master through Sentinel. */
describe('RedisBackend through Sentinel', () => {
  let master: RedisServerHandle;
  let sentinel: RedisSentinelHandle;
  beforeAll(async () => {
    master = await startRedisServer();
    sentinel = await startSentinel(master, 'framestore-master');
  });
  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  test('connects via Sentinel and serves the contract operations', async () => {
    const config = loadConfig({
      REDIS_SENTINELS: sentinel.sentinelsEnv,
      REDIS_SENTINEL_MASTER: sentinel.masterName,
      REDIS_KEY_PREFIX: uniquePrefix('sentinel'),
    });
    expect(config.redis.mode).toBe('sentinel');
    const backend = await RedisBackend.connect(config, { sweepIntervalMs: 0 });
    try {
      const table = makeRealisticTable(100, 8);
      const info = await backend.createSession(table);
      await backend.updateDataFrame(info.sessionId, table.slice(0, 50), { operation: 'half' });
      await backend.undoLastChange(info.sessionId);
      assertTablesEqual(await backend.getDataFrame(info.sessionId), table);
      const health = await backend.healthCheck();
      expect(health.status).toBe('healthy');
      expect(health.redisInfo?.mode).toBe('sentinel');
    } finally {
      await backend.close();
    }
  });
});

/** redis_info.nodes under Sentinel: the master and both replicas; a killed replica stays listed, as down. */
describe('redis_info.nodes through Sentinel (1 master + 2 replicas)', () => {
  const NAME = 'framestore-nodes';
  let master: RedisServerHandle;
  const replicas: RedisServerHandle[] = [];
  let sentinel: RedisSentinelHandle;
  beforeAll(async () => {
    master = await startRedisServer();
    for (let i = 0; i < 2; i++)
      replicas.push(await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] }));
    for (const replica of replicas) {
      const client = new Redis({ host: replica.host, port: replica.port, maxRetriesPerRequest: 1 });
      try {
        await waitFor(async () => /master_link_status:up/.test(await client.info('replication')), {
          timeoutMs: 15_000,
          message: 'replica in sync',
        });
      } finally {
        client.disconnect();
      }
    }
    sentinel = await startSentinel(master, NAME);
    const probe = new Redis({ host: '127.0.0.1', port: sentinel.port, maxRetriesPerRequest: 1 });
    try {
      await waitFor(
        async () => ((await probe.call('SENTINEL', 'replicas', NAME)) as unknown[]).length === 2,
        {
          timeoutMs: 20_000,
          message: 'the sentinel to know both replicas',
        },
      );
    } finally {
      probe.disconnect();
    }
  }, 60_000);
  afterAll(async () => {
    await sentinel?.stop();
    for (const server of [master, ...replicas]) await server?.stop();
  });

  test('lists master and replicas with memory and lag; a killed replica is down within ~1 s', async () => {
    const config = loadConfig({
      REDIS_SENTINELS: sentinel.sentinelsEnv,
      REDIS_SENTINEL_MASTER: NAME,
      REDIS_KEY_PREFIX: uniquePrefix('sentinelnodes'),
    });
    const backend = await RedisBackend.connect(config, { sweepIntervalMs: 0 });
    try {
      const nodes = (await backend.healthCheck()).redisInfo?.nodes ?? [];
      expect(nodes.map((n) => [n.address, n.role, n.status])).toEqual([
        [`127.0.0.1:${master.port}`, 'master', 'ok'],
        ...replicas
          .map((r) => [`127.0.0.1:${r.port}`, 'replica', 'ok'])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ]);
      for (const node of nodes) expect(node.used_memory_bytes).toBeGreaterThan(0);
      for (const node of nodes.slice(1)) expect(node.replication_lag_ms).toBeGreaterThanOrEqual(0);

      const victim = replicas[0] as RedisServerHandle;
      await victim.kill('SIGKILL');
      const started = performance.now();
      const health = await backend.healthCheck();
      const elapsed = performance.now() - started;
      console.log(`sentinel health with a killed replica took ${elapsed.toFixed(0)} ms`);
      expect(elapsed).toBeLessThan(2000);
      expect(health.status).toBe('healthy'); // the master serves; the node list shows the lost redundancy
      const after = health.redisInfo?.nodes ?? [];
      expect(after).toHaveLength(3);
      expect(after.find((n) => n.address === `127.0.0.1:${victim.port}`)).toEqual({
        address: `127.0.0.1:${victim.port}`,
        role: 'replica',
        status: 'down',
      });
      expect(after.filter((n) => n.status === 'ok')).toHaveLength(2);

      // A frozen replica (SIGSTOP: connects, never answers) costs the check one node timeout, not more.
      const frozen = replicas[1] as RedisServerHandle;
      await frozen.kill('SIGSTOP');
      try {
        const t0 = performance.now();
        const stalled = await backend.healthCheck();
        const stalledMs = performance.now() - t0;
        console.log(`sentinel health with a frozen replica took ${stalledMs.toFixed(0)} ms`);
        expect(stalledMs).toBeLessThan(1600);
        expect(stalled.redisInfo?.nodes?.find((n) => n.address === `127.0.0.1:${frozen.port}`)?.status).toBe(
          'down',
        );
      } finally {
        await frozen.kill('SIGCONT');
      }
    } finally {
      await backend.close();
    }
  }, 60_000);
});
