import path from 'node:path';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { runContractSuite } from '../contract/contract-suite.js';
import createInMemoryBackend from '../helpers/inmemory-factory.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';

runContractSuite(async () => {
  const dir = await makeTempDir('framestore-inmemory-');
  const env = { STORAGE_DIR: dir, LOG_LEVEL: 'silent' };
  const opened: StorageBackend[] = [];
  return {
    name: 'inmemory',
    env: () => ({ ...env }),
    create: async (overrides = {}) => {
      const backend = await createInMemoryBackend({ ...env, ...overrides });
      opened.push(backend);
      return backend;
    },
    factoryModule: path.join(__dirname, '../helpers/inmemory-factory.ts'),
    teardown: async () => {
      for (const backend of opened) await backend.close();
      await removeTempDir(dir);
    },
  };
});
