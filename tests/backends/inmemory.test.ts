import path from 'node:path';
import { envHarness } from '../contract/contract-harness.js';
import { runContractSuite } from '../contract/contract-suite.js';
import createInMemoryBackend from '../helpers/inmemory-factory.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';

runContractSuite(async () => {
  const dir = await makeTempDir('framestore-inmemory-');
  return envHarness({
    name: 'inmemory',
    env: { STORAGE_DIR: dir, LOG_LEVEL: 'silent' },
    factory: createInMemoryBackend,
    factoryModule: path.join(__dirname, '../helpers/inmemory-factory.ts'),
    stop: () => removeTempDir(dir),
  });
});
