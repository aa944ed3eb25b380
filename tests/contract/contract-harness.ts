import type { StorageBackend } from '../../src/contract/storage-backend.js';
import type { BackendHarness } from './contract-suite.js';

export interface HarnessParts {
  name: string;
  /** Env of a backend over the storage the caller started (tmp dir, redis-server, cluster). */
  env: Record<string, string>;
  /** Absolute path of the factory module (default export `(env) => Promise<StorageBackend>`). */
  factoryModule: string;
  factory: (env: Record<string, string>) => Promise<StorageBackend>;
  /** Stops what the caller started, after every backend the harness opened is closed. */
  stop: () => Promise<void>;
}

/** The harness every backend test file builds: backends from env overrides, all closed at teardown. */
export function envHarness(parts: HarnessParts): BackendHarness {
  const opened: StorageBackend[] = [];
  return {
    name: parts.name,
    env: () => ({ ...parts.env }),
    create: async (overrides = {}) => {
      const backend = await parts.factory({ ...parts.env, ...overrides });
      opened.push(backend);
      return backend;
    },
    factoryModule: parts.factoryModule,
    teardown: async () => {
      for (const backend of opened) await backend.close();
      await parts.stop();
    },
  };
}
