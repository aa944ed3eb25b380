import type { Cluster, Redis } from 'ioredis';
import { openBackend, redisConfigured } from '../backends/open-backend.js';
import { describeRedisTarget, type FramestoreConfig, loadConfig } from '../config/load-config.js';
import { isStorageError } from '../contract/errors.js';
import type { StorageBackend } from '../contract/storage-backend.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { BackendRouter, type RedisPrimary } from './backend-router.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DataManager } from './data-manager.js';
import { ReadThrough } from './read-through.js';
import { RedisLink } from './redis-link.js';
import { RedisRecovery } from './redis-recovery.js';
import { ShardGates } from './shard-gates.js';
import { WriteBack } from './write-back.js';
import { WriteBackJournal } from './write-back-journal.js';

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
 * Whether a local-first manager should look in Redis on a miss: only when Redis was configured on purpose,
 * never the bare default localhost:6379 that nobody asked for.
 */
function secondaryWanted(opts: CreateDataManagerOptions, config: FramestoreConfig): boolean {
  if (opts.redisClient) return true;
  const env = opts.config ? opts.env : (opts.env ?? process.env);
  if (env) return redisConfigured(env, config);
  const redis = config.redis;
  return (
    config.redisEnabled || redis.mode !== 'standalone' || redis.host !== 'localhost' || redis.port !== 6379
  );
}

/**
 * Validates config, picks and connects the backend, and logs one line saying which (§4).
 * Redis unreachable: falls back to the embedded store when STORAGE_FALLBACK_TO_MEMORY, else throws
 * BACKEND_UNAVAILABLE. With Redis selected, a circuit breaker guards it at runtime and changes made locally
 * during an outage are written back once it returns; MIGRATION_READ_THROUGH moves sessions on a miss.
 */
export async function createDataManager(opts: CreateDataManagerOptions = {}): Promise<DataManager> {
  const config = opts.config ?? loadConfig(opts.env ?? process.env);
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const reason = config.storageBackend
    ? `STORAGE_BACKEND=${config.storageBackend}`
    : `REDIS_ENABLED=${config.redisEnabled}`;
  const connectRedis = (): Promise<StorageBackend> =>
    openBackend('redis', config, { logger, ...(opts.redisClient ? { redisClient: opts.redisClient } : {}) });

  if (selectedBackend(config) === 'inmemory') {
    const local = await openBackend('inmemory', config, { logger });
    const secondary =
      config.migrationReadThrough && secondaryWanted(opts, config)
        ? new RedisLink(connectRedis, config.circuitBreakerCooldownMs)
        : undefined;
    // In the background: read-through must never delay startup on a slow or absent Redis.
    secondary?.connect().then(
      () => logger.info('read-through: redis connected as the secondary store'),
      (error: unknown) =>
        logger.warn({ err: (error as Error).message }, 'read-through: redis not reachable for now'),
    );
    const router = new BackendRouter({
      logger,
      local,
      ...(secondary
        ? { redisSecondary: secondary, readThrough: new ReadThrough(logger, config.maxVersions) }
        : {}),
      fallbackToMemory: false,
    });
    logger.info({ backend: 'inmemory', reason, storageDir: config.storageDir }, 'storage backend: inmemory');
    const closers = [...(secondary ? [() => secondary.close()] : []), () => local.close()];
    return new DataManager({ config, logger, redisEnabled: false, routing: { router, closers } });
  }

  const target = describeRedisTarget(config.redis);
  let redis: StorageBackend | undefined;
  let why: string | undefined;
  try {
    redis = await connectRedis();
    logger.info({ backend: 'redis', reason, target }, 'storage backend: redis');
  } catch (error) {
    if (!config.fallbackToMemory || !isStorageError(error, 'BACKEND_UNAVAILABLE')) throw error;
    // The Redis backend's message already names the target (host/port only, never credentials).
    why = error.message.includes(target) ? error.message : `redis unreachable at ${target}: ${error.message}`;
  }

  let local: StorageBackend | undefined;
  let journal: WriteBackJournal | undefined;
  try {
    if (config.fallbackToMemory || config.migrationReadThrough)
      local = await openBackend('inmemory', config, { logger });
    if (config.fallbackToMemory) journal = await WriteBackJournal.open(config.storageDir);
  } catch (error) {
    await Promise.allSettled([redis?.close(), local?.close()]);
    throw error;
  }
  if (why !== undefined) {
    logger.warn(
      { backend: 'inmemory', reason: why, fallback: true },
      `storage backend: inmemory (fallback: ${why})`,
    );
  }

  const link = new RedisLink(connectRedis, config.circuitBreakerCooldownMs, redis);
  let recovery: RedisRecovery | undefined;
  const breaker = new CircuitBreaker({
    threshold: config.circuitBreakerThreshold,
    cooldownMs: config.circuitBreakerCooldownMs,
    onHalfOpen: () => void recovery?.probe(),
    onStateChange: (state, change) => {
      if (state === 'open')
        logger.warn({ reason: change, fallback: config.fallbackToMemory }, 'redis circuit open');
      else logger.info({ reason: change }, `redis circuit ${state}`);
    },
  });
  // The client reconnected (Redis back, or Sentinel gave us the promoted master): probe now, not after the backoff.
  link.onReconnect(() => breaker.probeNow());
  const writeBack =
    journal && local
      ? new WriteBack({
          journal,
          local,
          redis: () => link.current,
          maxVersions: config.maxVersions,
          logger,
          onUnavailable: (error) => breaker.recordFailure(error.message),
        })
      : undefined;
  const shards =
    config.redis.mode === 'cluster'
      ? new ShardGates({
          cooldownMs: config.circuitBreakerCooldownMs,
          logger,
          ping: async (shard) => {
            const backend = link.current as { pingShard?: (shard: string) => Promise<void> } | undefined;
            if (backend?.pingShard === undefined) throw new Error('redis is not connected');
            await backend.pingShard(shard);
          },
          onReopen: () => recovery?.drainInBackground(),
        })
      : undefined;
  const redisPrimary: RedisPrimary = {
    link,
    breaker,
    ...(journal ? { journal } : {}),
    ...(writeBack ? { writeBack } : {}),
    ...(shards ? { shards } : {}),
  };
  const activeRecovery = new RedisRecovery(redisPrimary, logger, config.circuitBreakerCooldownMs);
  recovery = activeRecovery;
  const router = new BackendRouter({
    logger,
    local,
    redisPrimary,
    ...(config.migrationReadThrough && local
      ? { readThrough: new ReadThrough(logger, config.maxVersions) }
      : {}),
    fallbackToMemory: config.fallbackToMemory,
  });
  // Unreachable at startup takes the same road back as an outage at runtime: probe, close, write back.
  if (why !== undefined) breaker.trip(why);
  else activeRecovery.drainInBackground();

  const closers = [
    async () => {
      breaker.dispose();
      shards?.dispose();
      await activeRecovery.dispose();
      await writeBack?.settle();
    },
    () => link.close(),
    ...(local ? [() => local.close()] : []),
  ];
  return new DataManager({ config, logger, redisEnabled: true, routing: { router, redisPrimary, closers } });
}
