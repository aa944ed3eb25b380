import type { Cluster, Redis } from 'ioredis';
import type { FramestoreConfig } from '../config/load-config.js';
import { StorageError } from '../contract/errors.js';
import type { BackendType, StorageBackend } from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';
import { InMemoryBackend } from './inmemory/inmemory-backend.js';
import { RedisBackend } from './redis/redis-backend.js';

/** The one place backends are built (the manager, migrate, export, import all come here). */

export const BACKEND_TYPES: readonly BackendType[] = ['inmemory', 'redis'];

export interface OpenBackendOptions {
  logger: Logger;
  /** Use this ioredis client instead of opening one (the caller keeps ownership of its lifecycle). */
  redisClient?: Redis | Cluster;
  /**
   * The environment the config came from: with it, Redis must be configured on purpose (REDIS_ENABLED,
   * STORAGE_BACKEND=redis or where Redis is) — never the bare default localhost:6379 nobody asked for.
   */
  requireRedisConfigured?: Record<string, string | undefined>;
}

const REDIS_LOCATION_VARIABLES = [
  'REDIS_URL',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_SENTINELS',
  'REDIS_CLUSTER_NODES',
];

/** Whether the environment names a Redis deliberately. */
export function redisConfigured(env: Record<string, string | undefined>, config: FramestoreConfig): boolean {
  if (config.redisEnabled || config.storageBackend === 'redis') return true;
  return REDIS_LOCATION_VARIABLES.some((name) => (env[name] ?? '').trim() !== '');
}

/** Opens one backend by type, whichever the feature flag selects (tools that move sessions need both). */
export async function openBackend(
  type: BackendType,
  config: FramestoreConfig,
  opts: OpenBackendOptions,
): Promise<StorageBackend> {
  if (type === 'inmemory') return InMemoryBackend.open(config, { logger: opts.logger });
  const env = opts.requireRedisConfigured;
  if (env !== undefined && opts.redisClient === undefined && !redisConfigured(env, config)) {
    throw new StorageError(
      'CONFIG_INVALID',
      'Redis is not configured: set REDIS_URL (or REDIS_HOST/REDIS_PORT, REDIS_SENTINELS, REDIS_CLUSTER_NODES)',
    );
  }
  return RedisBackend.connect(config, {
    logger: opts.logger,
    ...(opts.redisClient ? { client: opts.redisClient } : {}),
  });
}
