import path from 'node:path';
import { envHarness } from '../contract/contract-harness.js';
import { runContractSuite } from '../contract/contract-suite.js';
import { startCluster } from '../helpers/redis-cluster.js';
import createRedisBackend from '../helpers/redis-factory.js';

/** The same contract on a 3-master Redis Cluster: every session's keys share one slot via the hash tag. */
runContractSuite(async () => {
  const cluster = await startCluster(3);
  return envHarness({
    name: 'redis-cluster',
    env: {
      REDIS_CLUSTER_NODES: cluster.nodesEnv,
      REDIS_KEY_PREFIX: `cluster${process.pid}:`,
      LOG_LEVEL: 'silent',
    },
    factory: createRedisBackend,
    factoryModule: path.join(__dirname, '../helpers/redis-factory.ts'),
    stop: () => cluster.stop(),
  });
});
