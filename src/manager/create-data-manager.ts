import type { Cluster, Redis } from 'ioredis';
import { InMemoryBackend } from '../backends/inmemory/inmemory-backend.js';
import { RedisBackend } from '../backends/redis/redis-backend.js';
import { describeRedisTarget, type FramestoreConfig, loadConfig } from '../config/load-config.js';
import { isStorageError } from '../contract/errors.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { DataManager } from './data-manager.js';

export interface CreateDataManagerOptions {
  /** Environment to validate (default: process.env). Ignored when `config` is given. */
  env?: Record<string, string | undefined>;
  /** An already validated config (from loadConfig). */
  config?: FramestoreConfig;
  logger?: Logger;
  /** Use this ioredis client instead of opening one (the caller keeps ownership of its lifecycle). */
  redisClient?: Redis | Cluster;
}

/** Which backend the configuration asks for (§4): STORAGE_BACKEND wins, else REDIS_ENABLED. */
export function selectedBackend(config: FramestoreConfig): 'redis' | 'inmemory' {
  return config.storageBackend ?? (config.redisEnabled ? 'redis' : 'inmemory');
}

/**
 * Validates config, picks and connects the backend, and logs one line saying which (§4).
 * Redis unreachable: falls back to the embedded store when STORAGE_FALLBACK_TO_MEMORY, else throws BACKEND_UNAVAILABLE.
 */
export async function createDataManager(opts: CreateDataManagerOptions = {}): Promise<DataManager> {
  const config = opts.config ?? loadConfig(opts.env ?? process.env);
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const wanted = selectedBackend(config);
  const reason = config.storageBackend
    ? `STORAGE_BACKEND=${config.storageBackend}`
    : `REDIS_ENABLED=${config.redisEnabled}`;

  if (wanted === 'inmemory') {
    const backend = await InMemoryBackend.open(config, { logger });
    logger.info({ backend: 'inmemory', reason, storageDir: config.storageDir }, 'storage backend: inmemory');
    return new DataManager({ config, logger, backend, redisEnabled: false });
  }

  const target = describeRedisTarget(config.redis);
  try {
    const backend = await RedisBackend.connect(config, {
      logger,
      ...(opts.redisClient ? { client: opts.redisClient } : {}),
    });
    logger.info({ backend: 'redis', reason, target }, 'storage backend: redis');
    return new DataManager({ config, logger, backend, redisEnabled: true });
  } catch (error) {
    if (!config.fallbackToMemory || !isStorageError(error, 'BACKEND_UNAVAILABLE')) throw error;
    // Error messages from the Redis backend are already stripped of credentials.
    const why = `redis unreachable at ${target}: ${error.message}`;
    const backend = await InMemoryBackend.open(config, { logger });
    logger.warn(
      { backend: 'inmemory', reason: why, fallback: true },
      `storage backend: inmemory (fallback: ${why})`,
    );
    return new DataManager({ config, logger, backend, redisEnabled: true, fallbackReason: why });
  }
}
