import path from 'node:path';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { runContractSuite } from '../contract/contract-suite.js';
import createRedisBackend from '../helpers/redis-factory.js';
import { startRedisServer } from '../helpers/redis-server.js';

runContractSuite(async () => {
  const server = await startRedisServer();
  const env = { REDIS_URL: server.url, REDIS_KEY_PREFIX: `contract${process.pid}:`, LOG_LEVEL: 'silent' };
  const opened: StorageBackend[] = [];
  return {
    name: 'redis',
    env: () => ({ ...env }),
    create: async (overrides = {}) => {
      const backend = await createRedisBackend({ ...env, ...overrides });
      opened.push(backend);
      return backend;
    },
    factoryModule: path.join(__dirname, '../helpers/redis-factory.ts'),
    teardown: async () => {
      for (const backend of opened) await backend.close();
      await server.stop();
    },
  };
});
