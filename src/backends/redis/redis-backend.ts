import { frameCodecFromConfig } from '../../codec/frame-codec.js';
import type { FramestoreConfig } from '../../config/load-config.js';
import type { IdempotencyKeys, WithIdempotency } from '../../contract/idempotency.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { ChunkContext } from '../../session/chunks/chunk-context.js';
import { SessionEngine } from '../../session/session-engine.js';
import { FrameCache } from './redis-cache.js';
import {
  attachErrorLogging,
  backendUnavailable,
  connectRedisClient,
  createRedisClient,
  onClientReady,
  type RedisClient,
  secretsOf,
} from './redis-client.js';
import { RedisContext } from './redis-context.js';
import { redisHealth } from './redis-health.js';
import { redisIdempotency } from './redis-idempotency.js';
import { RedisKeys } from './redis-keys.js';
import * as listing from './redis-listing.js';
import { RedisLocks } from './redis-lock.js';
import { defineScripts } from './redis-scripts.js';
import { pingShard, shardOf } from './redis-shards.js';
import { RedisSessionStore } from './redis-store.js';
import { RedisUploadStore } from './redis-uploads.js';

/** Blobs above this size are stored in parts: 8 MiB − 64 B stays under the allocator step (an 8 MiB value costs 10.5 MB in Redis). */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024 - 64;

export interface RedisBackendOptions {
  /** An existing ioredis client (standalone, Sentinel or Cluster); it stays the caller's to close. */
  client?: RedisClient;
  logger?: Logger;
  /** Chunk size for stored frames, in bytes (default 8 MiB). */
  chunkBytes?: number;
  /** Decoded-frame cache size in bytes (default MEMORY_CACHE_MAX_MB; 0 disables). */
  cacheBytes?: number;
  /** How often stale index entries are swept, in ms (default 60 s; 0 disables). */
  sweepIntervalMs?: number;
}

/** QUIT is polite but must not hang on a stopped server. */
async function quit(client: RedisClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 1000);
    }),
  ]);
  clearTimeout(timer);
  client.disconnect();
}

/**
 * The storage contract on Redis (standalone, Sentinel or Cluster): the session engine over the Redis store
 * (one load and one generic commit script per session change). Layout: docs/redis-layout.md.
 */
export class RedisBackend extends SessionEngine implements WithIdempotency {
  private readonly redis: RedisContext;
  /** Idempotency-Key responses (§6), one string per key beside the sessions. */
  readonly idempotency: IdempotencyKeys;

  private constructor(ctx: RedisContext, ownsClient: boolean, sweepIntervalMs: number) {
    let sweeper: NodeJS.Timeout | undefined;
    const locks = new RedisLocks(ctx);
    const store = new RedisSessionStore(ctx, locks);
    const uploads = new RedisUploadStore(ctx);
    locks.versionOf = async (id) => (await store.load(id, false))?.record.version ?? null;
    super(
      {
        store,
        uploads,
        codec: ctx.codec,
        maxVersions: ctx.config.maxVersions,
        chunks: new ChunkContext(ctx.codec, ctx.config.frameChunkRows),
        sessionTtlSeconds: ctx.config.sessionTtlSeconds,
        tempTtlSeconds: ctx.config.tempTtlSeconds,
      },
      {
        cleanupExpired: () => listing.cleanupExpired(ctx),
        healthCheck: () => redisHealth(ctx),
        statsDetails: () => ({ cache: ctx.cache.stats, mode: ctx.config.redis.mode }),
        close: async () => {
          ctx.markClosed();
          clearInterval(sweeper);
          ctx.cache.clear();
          if (ownsClient) await quit(ctx.client);
        },
      },
      (error) => backendUnavailable('redis call failed', error, ctx.secrets),
    );
    this.redis = ctx;
    this.idempotency = redisIdempotency(ctx);
    if (sweepIntervalMs > 0) {
      sweeper = setInterval(() => {
        this.cleanupExpired().catch(() => undefined);
      }, sweepIntervalMs);
      sweeper.unref();
    }
  }

  /**
   * Connects (standalone from config.redis, Sentinel or Cluster by config.redis.mode) and PINGs.
   * BACKEND_UNAVAILABLE within REDIS_CONNECT_TIMEOUT_MS when Redis cannot be reached; never leaks the password.
   */
  static async connect(config: FramestoreConfig, opts: RedisBackendOptions = {}): Promise<RedisBackend> {
    const logger = opts.logger ?? silentLogger;
    const secrets = secretsOf(config.redis);
    const owned = opts.client === undefined;
    const client = opts.client ?? createRedisClient(config.redis);
    if (owned) attachErrorLogging(client, logger, secrets);
    await connectRedisClient(client, config.redis, secrets, owned);
    defineScripts(client);
    const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const cache = new FrameCache(opts.cacheBytes ?? config.memoryCacheMaxBytes);
    const ctx = new RedisContext(
      client,
      config,
      new RedisKeys(config.redis.keyPrefix),
      frameCodecFromConfig(config),
      secrets,
      logger,
      Math.max(1024, chunkBytes),
      cache,
    );
    return new RedisBackend(ctx, owned, opts.sweepIntervalMs ?? 60_000);
  }

  /** The underlying ioredis client (for diagnostics and tests). */
  get client(): RedisClient {
    return this.redis.client;
  }

  /** Calls `listener` whenever the connection is ready again (the manager probes its breaker then); returns an unsubscribe. */
  onReconnect(listener: () => void): () => void {
    return onClientReady(this.redis.client, listener);
  }

  /** On Cluster, the master (`host:port`) serving a session's or upload's slot (the manager's shard gates). */
  shardOf(id: string): string | undefined {
    return shardOf(this.redis.client, id);
  }

  /** PINGs a Cluster master within the command timeout (resolves at once when it is no longer a master). */
  pingShard(shard: string): Promise<void> {
    return pingShard(this.redis.client, shard, this.redis.config.redis.commandTimeoutMs);
  }

  /** The key layout in use. */
  get keys(): RedisKeys {
    return this.redis.keys;
  }

  /** Recovery for a lost index: re-adds every session and upload found by SCAN (the only keyspace scan). */
  rebuildIndex(): Promise<{ sessions: number; uploads: number }> {
    return listing.rebuildIndexes(this.redis);
  }
}
