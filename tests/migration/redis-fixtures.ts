import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import { testEnv } from './migration-fixtures.js';

/** A RedisBackend on a test-owned redis-server. */
export async function openRedis(redisUrl: string, storageDir: string, extra: Record<string, string> = {}) {
  return RedisBackend.connect(loadConfig(testEnv(storageDir, redisUrl, extra)));
}
