import type { FramestoreConfig } from '../config/load-config.js';
import type { StorageError } from '../contract/errors.js';
import type { BackendType, StorageBackend } from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';
import type { BackendRouter, RedisPrimary } from './backend-router.js';
import type { RedisRecovery } from './redis-recovery.js';

export interface OperationEvent {
  operation: string;
  backend: BackendType;
  durationMs: number;
  error?: StorageError;
}

/** Receives one event per storage call (metrics, tracing). Must not throw. */
export interface OperationObserver {
  onOperation(event: OperationEvent): void;
}

export interface DataManagerParts {
  config: FramestoreConfig;
  logger: Logger;
  /** Simple form: one store serving everything (no breaker, no read-through). */
  backend?: StorageBackend;
  /** Full form (createDataManager): routing over Redis, the local store, breaker and write-back. */
  routing?: ManagerRouting;
  /** Whether the configuration asked for Redis (true also while falling back). */
  redisEnabled: boolean;
  /** Simple form only: set when Redis was asked for but the embedded store serves instead. */
  fallbackReason?: string;
}

/** The moving parts behind a DataManager, built and owned by createDataManager. */
export interface ManagerRouting {
  router: BackendRouter;
  redisPrimary?: RedisPrimary;
  recovery?: RedisRecovery;
  /** Closed in order by close(). */
  closers: (() => Promise<void>)[];
}
