import type { Table } from 'apache-arrow';
import { frameCodecFromConfig } from '../../codec/frame-codec.js';
import type { FramestoreConfig } from '../../config/load-config.js';
import type {
  ActorOptions,
  AuditEntry,
  AuditInput,
  AuditQuery,
  CellRef,
  ChangeInput,
  CreateSessionOptions,
  FrameDiff,
  HealthReport,
  ImportOptions,
  ListSessionsOptions,
  ListSessionsResult,
  ListTempUploadsResult,
  LockOptions,
  Mark,
  MarkedCell,
  PromoteOptions,
  ReadOptions,
  SessionInfo,
  SessionSnapshot,
  StorageBackend,
  StorageStats,
  StoreTempOptions,
  TempUploadInfo,
  TempUploadSnapshot,
  VersionInfo,
  VersionRef,
} from '../../contract/storage-backend.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import * as notes from './redis-annotations.js';
import { FrameCache } from './redis-cache.js';
import {
  attachErrorLogging,
  connectRedisClient,
  createRedisClient,
  onClientReady,
  type RedisClient,
  secretsOf,
} from './redis-client.js';
import { RedisContext } from './redis-context.js';
import { redisHealth } from './redis-health.js';
import { RedisKeys } from './redis-keys.js';
import * as listing from './redis-listing.js';
import { RedisLocks } from './redis-lock.js';
import { defineScripts } from './redis-scripts.js';
import * as sessions from './redis-sessions.js';
import * as transfer from './redis-transfer.js';
import * as uploadTransfer from './redis-upload-transfer.js';
import * as uploads from './redis-uploads.js';
import * as versions from './redis-versions.js';

/** Frames above this size are split into chunks (no single value near Redis's 512 MB limit). */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

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

/** The storage contract on Redis (standalone, Sentinel or Cluster). Layout: docs/redis-layout.md. */
export class RedisBackend implements StorageBackend {
  readonly backendType = 'redis' as const;
  private readonly locks: RedisLocks;
  private readonly sweeper: NodeJS.Timeout | undefined;

  private constructor(
    private readonly ctx: RedisContext,
    private readonly ownsClient: boolean,
    sweepIntervalMs: number,
  ) {
    this.locks = new RedisLocks(ctx);
    if (sweepIntervalMs > 0) {
      this.sweeper = setInterval(() => {
        this.cleanupExpired().catch(() => undefined);
      }, sweepIntervalMs);
      this.sweeper.unref();
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
    const codec = frameCodecFromConfig(config);
    const keys = new RedisKeys(config.redis.keyPrefix);
    const cache = new FrameCache(opts.cacheBytes ?? config.memoryCacheMaxBytes);
    const ctx = new RedisContext(
      client,
      config,
      keys,
      codec,
      secrets,
      logger,
      Math.max(1024, chunkBytes),
      cache,
    );
    return new RedisBackend(ctx, owned, opts.sweepIntervalMs ?? 60_000);
  }

  /** The underlying ioredis client (for diagnostics and tests). */
  get client(): RedisClient {
    return this.ctx.client;
  }

  /** Calls `listener` whenever the connection is ready again (the manager probes its breaker then); returns an unsubscribe. */
  onReconnect(listener: () => void): () => void {
    return onClientReady(this.ctx.client, listener);
  }

  /** The key layout in use. */
  get keys(): RedisKeys {
    return this.ctx.keys;
  }

  createSession(table: Table, opts?: CreateSessionOptions): Promise<SessionInfo> {
    return sessions.createSession(this.ctx, table, opts);
  }
  getSession(id: string): Promise<SessionInfo> {
    return sessions.getSession(this.ctx, id);
  }
  sessionExists(id: string): Promise<boolean> {
    return sessions.sessionExists(this.ctx, id);
  }
  deleteSession(id: string): Promise<boolean> {
    return sessions.deleteSession(this.ctx, id);
  }
  getDataFrame(id: string, opts?: ReadOptions): Promise<Table> {
    return versions.readPart(this.ctx, id, undefined, opts);
  }
  updateDataFrame(id: string, table: Table, change: ChangeInput): Promise<SessionInfo> {
    return sessions.updateDataFrame(this.ctx, id, table, change);
  }
  touchSession(id: string, ttlSeconds?: number): Promise<SessionInfo> {
    return sessions.touchSession(this.ctx, id, ttlSeconds);
  }

  /** Creation order; the cursor is opaque. Ids whose keys are gone are dropped from the index on the way. */
  listSessions(opts?: ListSessionsOptions): Promise<ListSessionsResult> {
    return listing.listSessions(this.ctx, opts);
  }
  countSessions(): Promise<number> {
    return listing.countSessions(this.ctx);
  }

  createVersion(id: string, label?: string): Promise<VersionInfo> {
    return versions.createVersion(this.ctx, id, label);
  }
  listVersions(id: string): Promise<VersionInfo[]> {
    return versions.listVersions(this.ctx, id);
  }
  getVersion(id: string, version: number, opts?: ReadOptions): Promise<Table> {
    return versions.readPart(this.ctx, id, version, opts);
  }
  diffVersions(id: string, from: VersionRef, to: VersionRef): Promise<FrameDiff> {
    return versions.diffVersions(this.ctx, id, from, to);
  }
  undoLastChange(id: string, opts?: ActorOptions): Promise<SessionInfo> {
    return versions.undoLastChange(this.ctx, id, opts);
  }
  redo(id: string, opts?: ActorOptions): Promise<SessionInfo> {
    return versions.redo(this.ctx, id, opts);
  }
  restoreVersion(id: string, version: number, opts?: ActorOptions): Promise<SessionInfo> {
    return versions.restoreVersion(this.ctx, id, version, opts);
  }

  getMetadata(id: string): Promise<Record<string, unknown>> {
    return notes.getMetadata(this.ctx, id);
  }
  updateMetadata(id: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return notes.updateMetadata(this.ctx, id, patch);
  }
  addAuditEntry(id: string, entry: AuditInput): Promise<AuditEntry> {
    return notes.addAuditEntry(this.ctx, id, entry);
  }
  getAuditLog(id: string, query?: AuditQuery): Promise<AuditEntry[]> {
    return notes.getAuditLog(this.ctx, id, query);
  }
  getInitialRows(id: string): Promise<number> {
    return notes.getInitialRows(this.ctx, id);
  }
  async markIntentionalMissing(id: string, mark: Mark): Promise<void> {
    await notes.markBatch(this.ctx, id, [mark]);
  }
  markIntentionalMissingBatch(id: string, marks: Mark[]): Promise<void> {
    return notes.markBatch(this.ctx, id, marks);
  }
  getIntentionalMissing(id: string): Promise<MarkedCell[]> {
    return notes.getMarks(this.ctx, id);
  }
  clearIntentionalMissing(id: string, cells?: CellRef[]): Promise<number> {
    return notes.clearMarks(this.ctx, id, cells);
  }

  storeTempSheets(sheets: Record<string, Table>, opts?: StoreTempOptions): Promise<TempUploadInfo> {
    return uploads.storeTempSheets(this.ctx, sheets, opts);
  }
  listTempSheets(uploadId: string): Promise<TempUploadInfo> {
    return uploads.listTempSheets(this.ctx, uploadId);
  }
  getTempSheet(uploadId: string, name: string): Promise<Table> {
    return uploads.getTempSheet(this.ctx, uploadId, name);
  }
  deleteTemp(uploadId: string): Promise<boolean> {
    return uploads.deleteTemp(this.ctx, uploadId);
  }
  promoteTempSheet(uploadId: string, name: string, opts?: PromoteOptions): Promise<SessionInfo> {
    return uploads.promoteTempSheet(this.ctx, uploadId, name, opts);
  }

  withLock<T>(id: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T> {
    return this.locks.withLock(id, fn, opts);
  }

  /** Redis expires the keys itself; this drops index entries of sessions and uploads that are gone. */
  cleanupExpired(): Promise<number> {
    return listing.cleanupExpired(this.ctx);
  }

  /** Recovery for a lost index: re-adds every session and upload found by SCAN (the only keyspace scan). */
  rebuildIndex(): Promise<{ sessions: number; uploads: number }> {
    return listing.rebuildIndexes(this.ctx);
  }

  healthCheck(): Promise<HealthReport> {
    return redisHealth(this.ctx);
  }

  /** Exact counts and stored bytes (walks both indexes). */
  getStats(): Promise<StorageStats> {
    return listing.redisStats(this.ctx);
  }

  /** Idempotent. Afterwards every call fails with BACKEND_UNAVAILABLE; a caller-supplied client stays open. */
  async close(): Promise<void> {
    if (this.ctx.closed) return;
    this.ctx.markClosed();
    clearInterval(this.sweeper);
    this.ctx.cache.clear();
    if (!this.ownsClient) return;
    const { client } = this.ctx;
    // QUIT is polite but must not hang on a stopped server.
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

  exportSession(id: string): Promise<SessionSnapshot> {
    return transfer.exportSession(this.ctx, id);
  }
  importSession(snapshot: SessionSnapshot, opts?: ImportOptions): Promise<SessionInfo> {
    return transfer.importSession(this.ctx, snapshot, opts);
  }
  listTempUploads(opts?: ListSessionsOptions): Promise<ListTempUploadsResult> {
    return uploadTransfer.listTempUploads(this.ctx, opts);
  }
  exportTempUpload(uploadId: string): Promise<TempUploadSnapshot> {
    return uploadTransfer.exportTempUpload(this.ctx, uploadId);
  }
  importTempUpload(snapshot: TempUploadSnapshot, opts?: ImportOptions): Promise<TempUploadInfo> {
    return uploadTransfer.importTempUpload(this.ctx, snapshot, opts);
  }
}
