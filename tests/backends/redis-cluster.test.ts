import path from 'node:path';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { runContractSuite } from '../contract/contract-suite.js';
import { startCluster } from '../helpers/redis-cluster.js';
import createRedisBackend from '../helpers/redis-factory.js';

/** The same contract on a 3-master Redis Cluster: every session's keys share one slot via the hash tag. */
runContractSuite(async () => {
  const cluster = await startCluster(3);
  const env = {
    REDIS_CLUSTER_NODES: cluster.nodesEnv,
    REDIS_KEY_PREFIX: `cluster${process.pid}:`,
    LOG_LEVEL: 'silent',
  };
  const opened: StorageBackend[] = [];
  return {
    name: 'redis-cluster',
    env: () => ({ ...env }),
    create: async (overrides = {}) => {
      const backend = await createRedisBackend({ ...env, ...overrides });
      opened.push(backend);
      return backend;
    },
    factoryModule: path.join(__dirname, '../helpers/redis-factory.ts'),
    teardown: async () => {
      for (const backend of opened) await backend.close();
      await cluster.stop();
    },
  };
});
