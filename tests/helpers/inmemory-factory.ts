import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';

/** The contract harness's factory for InMemoryBackend (also imported by child processes through tsx). */
export default async function createInMemoryBackend(env: Record<string, string>): Promise<StorageBackend> {
  // No background sweep in tests: expiry is exercised explicitly (on read and by cleanupExpired).
  return InMemoryBackend.open(loadConfig(env), { sweepIntervalMs: 0 });
}
