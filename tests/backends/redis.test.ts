import path from 'node:path';
import { envHarness } from '../contract/contract-harness.js';
import { runContractSuite } from '../contract/contract-suite.js';
import createRedisBackend from '../helpers/redis-factory.js';
import { startRedisServer } from '../helpers/redis-server.js';

runContractSuite(async () => {
  const server = await startRedisServer();
  return envHarness({
    name: 'redis',
    env: { REDIS_URL: server.url, REDIS_KEY_PREFIX: `contract${process.pid}:`, LOG_LEVEL: 'silent' },
    factory: createRedisBackend,
    factoryModule: path.join(__dirname, '../helpers/redis-factory.ts'),
    stop: () => server.stop(),
  });
});
