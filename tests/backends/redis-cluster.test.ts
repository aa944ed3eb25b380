import path from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { RedisNodeInfo } from '../../src/contract/storage-backend.js';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { envHarness } from '../contract/contract-harness.js';
import { runContractSuite } from '../contract/contract-suite.js';
import { type RedisClusterHandle, startCluster } from '../helpers/redis-cluster.js';
import createRedisBackend from '../helpers/redis-factory.js';
import { uniquePrefix } from '../helpers/redis-harness.js';
import type { RedisServerHandle } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';

/** The same contract on a Redis Cluster of 3 masters + 3 replicas: every session's keys share one slot. */
let cluster: RedisClusterHandle | undefined;
beforeAll(async () => {
  cluster = await startCluster(3, { replicas: 1 });
}, 90_000);
afterAll(() => cluster?.stop());

const clusterEnv = (): Record<string, string> => ({
  REDIS_CLUSTER_NODES: cluster?.nodesEnv ?? '',
  REDIS_KEY_PREFIX: `cluster${process.pid}:`,
  LOG_LEVEL: 'silent',
});

runContractSuite(async () =>
  envHarness({
    name: 'redis-cluster',
    env: clusterEnv(),
    factory: createRedisBackend,
    factoryModule: path.join(__dirname, '../helpers/redis-factory.ts'),
    // The cluster outlives the suite: the node-health tests below kill one of its replicas.
    stop: async () => undefined,
  }),
);

describe('REDIS_WAIT_REPLICAS on a 3 + 3 Cluster', () => {
  it('waits on the master of each session slot: one replica each acknowledges, two cannot', async () => {
    const prefix = uniquePrefix('wait');
    const one = await createRedisBackend({
      ...clusterEnv(),
      REDIS_KEY_PREFIX: prefix,
      REDIS_WAIT_REPLICAS: '1',
    });
    const two = await createRedisBackend({
      ...clusterEnv(),
      REDIS_KEY_PREFIX: prefix,
      REDIS_WAIT_REPLICAS: '2',
      REDIS_WAIT_TIMEOUT_MS: '200',
    });
    const replicas = (cluster?.servers ?? []).map(
      (s) => new Redis({ host: '127.0.0.1', port: s.port, maxRetriesPerRequest: 1 }),
    );
    try {
      for (let i = 0; i < 6; i += 1) {
        const { sessionId } = await one.createSession(makeSmallTable(2));
        const entry = await one.addAuditEntry(sessionId, { operation: 'acked' });
        // Acknowledged by one replica: the audit entry is already on a replica (READONLY reads there).
        const holders = await Promise.all(
          replicas.map(async (node) => {
            if (!/role:slave/.test(await node.info('replication'))) return false;
            await node.call('READONLY');
            const last = await node.lrange(`${prefix}{${sessionId}}:audit`, -1, -1).catch(() => []);
            return last[0] !== undefined && JSON.parse(last[0]).seq === entry.seq;
          }),
        );
        expect(holders.filter(Boolean)).toHaveLength(1);
        await expect(two.addAuditEntry(sessionId, { operation: 'unacked' })).rejects.toMatchObject({
          code: 'BACKEND_UNAVAILABLE',
          details: { outcome: 'unknown', replicas: 1, required: 2 },
        });
      }
    } finally {
      for (const node of replicas) node.disconnect();
      await one.close();
      await two.close();
    }
  });
});

describe('redis_info.nodes on a 3 + 3 Cluster', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('framestore-cluster-nodes-');
  });
  afterAll(() => removeTempDir(dir));

  const summary = (nodes: RedisNodeInfo[] | undefined) =>
    (nodes ?? []).map((n) => `${n.role}:${n.status}`).sort();

  it('lists all six nodes with role, status, memory and lag; a killed replica is down (health and /metrics)', async () => {
    const manager = await createDataManager({
      env: {
        ...clusterEnv(),
        REDIS_ENABLED: 'true',
        REDIS_KEY_PREFIX: uniquePrefix('nodes'),
        STORAGE_DIR: dir,
      },
      logger: silentLogger,
    });
    const app = createApp(manager);
    try {
      const health = await request(app).get('/health/storage');
      expect(health.status).toBe(200);
      const nodes = health.body.redis_info.nodes as RedisNodeInfo[];
      expect(summary(nodes)).toEqual([
        'master:ok',
        'master:ok',
        'master:ok',
        'replica:ok',
        'replica:ok',
        'replica:ok',
      ]);
      expect(new Set(nodes.map((n) => n.address))).toEqual(
        new Set(cluster?.servers.map((s) => `127.0.0.1:${s.port}`)),
      );
      for (const node of nodes) expect(node.used_memory_bytes).toBeGreaterThan(0);
      for (const node of nodes.filter((n) => n.role === 'replica'))
        expect(node.replication_lag_ms).toBeGreaterThanOrEqual(0);

      // kill -9 one replica: it stays listed (CLUSTER NODES keeps failed nodes), as down, within ~1 s.
      const replica = await findReplica(cluster as RedisClusterHandle);
      await replica.kill('SIGKILL');
      const started = performance.now();
      const after = await manager.healthCheck();
      const elapsed = performance.now() - started;
      console.log(`cluster health with a killed replica took ${elapsed.toFixed(0)} ms`);
      expect(elapsed).toBeLessThan(2000);
      expect(summary(after.redisInfo?.nodes)).toEqual([
        'master:ok',
        'master:ok',
        'master:ok',
        'replica:down',
        'replica:ok',
        'replica:ok',
      ]);
      const dead = after.redisInfo?.nodes?.find((n) => n.status === 'down');
      expect(dead).toEqual({ address: `127.0.0.1:${replica.port}`, role: 'replica', status: 'down' });

      // Still listed once the cluster has flagged it failed (CLUSTER SLOTS, and so ioredis, then drop it).
      const peer = cluster?.servers.find((s) => s.port !== replica.port) as RedisServerHandle;
      const watcher = new Redis({ host: peer.host, port: peer.port, maxRetriesPerRequest: 1 });
      try {
        await waitFor(
          async () =>
            String(await watcher.call('CLUSTER', 'NODES'))
              .split('\n')
              .some((line) => line.includes(`:${replica.port}@`) && /\bfail\b/.test(line)),
          { timeoutMs: 20_000, intervalMs: 100, message: 'the cluster to flag the killed replica failed' },
        );
      } finally {
        watcher.disconnect();
      }
      const flagged = await manager.healthCheck();
      expect(flagged.redisInfo?.nodes?.find((n) => n.address === dead?.address)?.status).toBe('down');
      expect(flagged.redisInfo?.nodes).toHaveLength(6);

      const metrics = (await request(app).get('/metrics')).text;
      expect(metrics).toContain(
        `framestore_redis_node_up{address="127.0.0.1:${replica.port}",role="replica"} 0`,
      );
      expect(metrics.match(/^framestore_redis_node_up\{.*\} 1$/gm)).toHaveLength(5);
      expect(metrics.match(/^framestore_redis_node_used_memory_bytes\{/gm)).toHaveLength(5);
      expect(metrics.match(/^framestore_redis_node_replication_lag_ms\{.*role="replica"\}/gm)).toHaveLength(
        2,
      );
    } finally {
      (app.locals.framestore as AppLocals).dispose();
      await manager.close();
    }
  }, 60_000);
});

async function findReplica(handle: RedisClusterHandle) {
  for (const server of handle.servers) {
    const client = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
    try {
      if (/role:slave/.test(await client.info('replication'))) return server;
    } finally {
      client.disconnect();
    }
  }
  throw new Error('no replica in the cluster');
}
