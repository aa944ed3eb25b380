import type { Table } from 'apache-arrow';
import { ByteLru } from '../../cache/byte-lru.js';
import { frameCodecFromConfig } from '../../codec/frame-codec.js';
import type { FramestoreConfig } from '../../config/load-config.js';
import { StorageError } from '../../contract/errors.js';
import type { IdempotencyKeys, WithIdempotency } from '../../contract/idempotency.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { ChunkContext } from '../../session/chunks/chunk-context.js';
import { SessionEngine } from '../../session/session-engine.js';
import { diskIdempotency } from './inmemory-idempotency.js';
import { InMemoryLayout } from './inmemory-layout.js';
import { FileLocks } from './inmemory-lock.js';
import * as maintenance from './inmemory-maintenance.js';
import { DiskSessionStore } from './inmemory-store.js';
import { DiskUploadStore } from './inmemory-uploads.js';

export interface InMemoryBackendOptions {
  logger?: Logger;
  /** Period of the expiry sweep (default 60 s; 0 disables it). */
  sweepIntervalMs?: number;
}

const DEFAULT_SWEEP_MS = 60_000;
const LOCK_RETRY_DELAY_MS = 25;

/** A failing disk: every error that is not already a StorageError. */
function diskFailure(error: unknown): StorageError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  const message = full ? `local disk is full (${code}) under STORAGE_DIR` : 'local storage failed';
  return new StorageError('BACKEND_UNAVAILABLE', message, { cause: error });
}

/**
 * The embedded store (§7): the session engine over one folder per session under STORAGE_DIR, frames as
 * immutable files, a small state.json as each session's single commit point, and a byte-bounded LRU of
 * decoded tables in memory. Safe for several processes sharing STORAGE_DIR.
 */
export class InMemoryBackend extends SessionEngine implements WithIdempotency {
  /** Idempotency-Key responses (§6), under STORAGE_DIR/idempotency. */
  readonly idempotency: IdempotencyKeys;

  private constructor(
    readonly layout: InMemoryLayout,
    sessions: DiskSessionStore,
    uploads: DiskUploadStore,
    cache: ByteLru<Table>,
    config: FramestoreConfig,
    opts: InMemoryBackendOptions,
  ) {
    const logger = opts.logger ?? silentLogger;
    let sweepTimer: NodeJS.Timeout | undefined;
    const idempotency = diskIdempotency(layout.root);
    const services = {
      cleanupExpired: async () => {
        idempotency.sweep();
        return maintenance.cleanupExpired(sessions, uploads, logger);
      },
      healthCheck: async () => ({
        backendType: 'inmemory' as const,
        ...(await maintenance.health(sessions, cache.stats())),
      }),
      statsDetails: () => ({ cache: cache.stats() }),
      close: async () => {
        if (sweepTimer !== undefined) clearInterval(sweepTimer);
        cache.clear();
      },
    };
    const codec = frameCodecFromConfig(config);
    super(
      {
        store: sessions,
        uploads,
        codec,
        maxVersions: config.maxVersions,
        chunks: new ChunkContext(codec, config.frameChunkRows),
        sessionTtlSeconds: config.sessionTtlSeconds,
        tempTtlSeconds: config.tempTtlSeconds,
      },
      services,
      diskFailure,
    );
    this.idempotency = idempotency.keys;
    const every = opts.sweepIntervalMs ?? DEFAULT_SWEEP_MS;
    if (every > 0) {
      sweepTimer = setInterval(() => {
        this.cleanupExpired().catch((error) => logger.warn({ err: error }, 'expiry sweep failed'));
      }, every);
      sweepTimer.unref();
    }
  }

  /** Opens (creating when needed) the store under config.storageDir. */
  static async open(config: FramestoreConfig, opts: InMemoryBackendOptions = {}): Promise<InMemoryBackend> {
    const layout = new InMemoryLayout(config.storageDir);
    try {
      layout.ensureDirs();
    } catch (error) {
      throw new StorageError('BACKEND_UNAVAILABLE', 'STORAGE_DIR is not usable', { cause: error });
    }
    const logger = opts.logger ?? silentLogger;
    const codec = frameCodecFromConfig(config);
    const cache = new ByteLru<Table>(config.memoryCacheMaxBytes);
    const locks = new FileLocks(
      layout.locksDir,
      { ttlMs: config.lockTtlMs, retryCount: config.lockRetryCount, retryDelayMs: LOCK_RETRY_DELAY_MS },
      logger,
    );
    const sessions = new DiskSessionStore(layout, locks, { codec, cache, logger });
    const uploads = new DiskUploadStore(layout, locks, codec, cache, logger);
    return new InMemoryBackend(layout, sessions, uploads, cache, config, opts);
  }
}
