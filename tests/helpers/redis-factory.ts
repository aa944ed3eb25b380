import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';

/** The contract harness's factory for RedisBackend (also imported by child processes through tsx). */
export default async function createRedisBackend(env: Record<string, string>): Promise<StorageBackend> {
  // No background sweep in tests: index cleanup is exercised explicitly (listing, counting, cleanupExpired).
  return RedisBackend.connect(loadConfig(env), { sweepIntervalMs: 0 });
}
