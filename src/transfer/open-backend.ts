import { InMemoryBackend } from '../backends/inmemory/inmemory-backend.js';
import { RedisBackend } from '../backends/redis/redis-backend.js';
import type { FramestoreConfig } from '../config/load-config.js';
import type { BackendType, StorageBackend } from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';

/**
 * Opens one backend by type from the configuration, regardless of which one the feature flag selects:
 * tools that move sessions need both at once (STORAGE_DIR for the local store, REDIS_* for Redis).
 */
export async function openBackend(
  type: BackendType,
  config: FramestoreConfig,
  logger: Logger,
): Promise<StorageBackend> {
  return type === 'redis'
    ? RedisBackend.connect(config, { logger })
    : InMemoryBackend.open(config, { logger });
}

export const BACKEND_TYPES: readonly BackendType[] = ['inmemory', 'redis'];
