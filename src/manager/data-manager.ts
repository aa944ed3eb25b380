import type { Table } from 'apache-arrow';
import type { FramestoreConfig } from '../config/load-config.js';
import { StorageError } from '../contract/errors.js';
import type {
  ActorOptions,
  AuditEntry,
  AuditInput,
  AuditQuery,
  BackendType,
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
} from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';
import { BackendRouter } from './backend-router.js';
import { isFalse, onSession, onUpload, redisDown, sessionRef, uploadRef } from './call-specs.js';
import type { BreakerState } from './circuit-breaker.js';
import { decorateHealth, healthStateOf, unreachableReport } from './manager-health.js';
import type { DataManagerParts, ManagerRouting, OperationObserver } from './manager-types.js';
import { TimedCalls } from './timed-calls.js';
import type { DrainResult } from './write-back.js';
import type { JournalEntry } from './write-back-journal.js';

export type { DataManagerParts, ManagerRouting, OperationEvent, OperationObserver } from './manager-types.js';

/**
 * The one object the app talks to (§4): owns the stores' lifecycle, routes each call (Redis, or the local
 * store while Redis's circuit is open), moves sessions over on a miss after a flag flip, reports which
 * store is live and why, and times every call for observers.
 */
export class DataManager implements StorageBackend {
  readonly config: FramestoreConfig;
  readonly logger: Logger;
  private readonly routing: ManagerRouting;
  private readonly redisEnabled: boolean;
  private readonly staticFallbackReason: string | undefined;
  private readonly calls: TimedCalls;
  /** Routes, times and reports one call (timed-calls.ts). */
  private readonly run: TimedCalls['run'];
  private closed = false;

  constructor(parts: DataManagerParts) {
    this.config = parts.config;
    this.logger = parts.logger;
    this.redisEnabled = parts.redisEnabled;
    this.staticFallbackReason = parts.fallbackReason;
    if (parts.routing) this.routing = parts.routing;
    else if (parts.backend) {
      const backend = parts.backend;
      const router = new BackendRouter({ logger: parts.logger, local: backend, fallbackToMemory: false });
      this.routing = { router, closers: [() => backend.close()] };
    } else throw new StorageError('CONFIG_INVALID', 'DataManager needs a backend or routing');
    this.calls = new TimedCalls(this.routing.router, parts.logger);
    this.run = this.calls.run.bind(this.calls);
  }

  get backendType(): BackendType {
    return this.getBackendType();
  }

  /** The store actually serving calls: 'inmemory' while it stands in for an unreachable Redis. */
  getBackendType(): BackendType {
    return this.routing.router.serving().backendType;
  }

  isRedisEnabled(): boolean {
    return this.redisEnabled;
  }

  /** True while the local store serves in place of the configured Redis (startup fallback or open circuit). */
  isFallbackActive(): boolean {
    return this.routing.router.servingLocally() || this.staticFallbackReason !== undefined;
  }

  getFallbackReason(): string | undefined {
    if (this.routing.router.servingLocally()) {
      return this.routing.redisPrimary?.breaker.lastReason ?? 'redis unavailable';
    }
    return this.staticFallbackReason;
  }

  /** The backend serving calls right now. */
  getActiveBackend(): StorageBackend {
    return this.routing.router.serving();
  }

  /** Redis circuit breaker state; undefined when Redis is not the configured backend. */
  getCircuitState(): BreakerState | undefined {
    return this.routing.redisPrimary?.breaker.state;
  }

  /** Sessions and uploads changed locally during an outage and not yet written back to Redis. */
  getWriteBackBacklog(): JournalEntry[] {
    return this.routing.redisPrimary?.journal?.list() ?? [];
  }

  /** Writes back everything pending now (when Redis is connected and its circuit closed). */
  async flushWriteBack(): Promise<DrainResult> {
    const { redisPrimary } = this.routing;
    const writeBack = redisPrimary?.writeBack;
    if (writeBack === undefined || redisPrimary?.breaker.state !== 'closed') {
      return { written: 0, remaining: writeBack?.pending ?? 0, interrupted: writeBack !== undefined };
    }
    return writeBack.drain();
  }

  addObserver(observer: OperationObserver): () => void {
    return this.calls.addObserver(observer);
  }

  createSession(table: Table, opts?: CreateSessionOptions): Promise<SessionInfo> {
    return this.run('createSession', { created: (r: SessionInfo) => [sessionRef(r.sessionId)] }, (b) =>
      b.createSession(table, opts),
    );
  }
  getSession(id: string): Promise<SessionInfo> {
    return this.run('getSession', onSession(id), (b) => b.getSession(id));
  }
  sessionExists(id: string): Promise<boolean> {
    return this.run('sessionExists', { ...onSession(id), isMiss: isFalse }, (b) => b.sessionExists(id));
  }
  deleteSession(id: string): Promise<boolean> {
    return this.run('deleteSession', { ...onSession(id, true), bothStores: true }, (b) =>
      b.deleteSession(id),
    );
  }
  getDataFrame(id: string, opts?: ReadOptions): Promise<Table> {
    return this.run('getDataFrame', onSession(id), (b) => b.getDataFrame(id, opts));
  }
  updateDataFrame(id: string, table: Table, change: ChangeInput): Promise<SessionInfo> {
    return this.run('updateDataFrame', onSession(id, true), (b) => b.updateDataFrame(id, table, change));
  }
  listSessions(opts?: ListSessionsOptions): Promise<ListSessionsResult> {
    return this.run('listSessions', {}, (b) => b.listSessions(opts));
  }
  countSessions(): Promise<number> {
    return this.run('countSessions', {}, (b) => b.countSessions());
  }
  touchSession(id: string, ttlSeconds?: number): Promise<SessionInfo> {
    return this.run('touchSession', onSession(id, true), (b) => b.touchSession(id, ttlSeconds));
  }
  createVersion(id: string, label?: string): Promise<VersionInfo> {
    return this.run('createVersion', onSession(id, true), (b) => b.createVersion(id, label));
  }
  listVersions(id: string): Promise<VersionInfo[]> {
    return this.run('listVersions', onSession(id), (b) => b.listVersions(id));
  }
  getVersion(id: string, version: number, opts?: ReadOptions): Promise<Table> {
    return this.run('getVersion', onSession(id), (b) => b.getVersion(id, version, opts));
  }
  diffVersions(id: string, from: VersionRef, to: VersionRef): Promise<FrameDiff> {
    return this.run('diffVersions', onSession(id), (b) => b.diffVersions(id, from, to));
  }
  undoLastChange(id: string, opts?: ActorOptions): Promise<SessionInfo> {
    return this.run('undoLastChange', onSession(id, true), (b) => b.undoLastChange(id, opts));
  }
  redo(id: string, opts?: ActorOptions): Promise<SessionInfo> {
    return this.run('redo', onSession(id, true), (b) => b.redo(id, opts));
  }
  restoreVersion(id: string, version: number, opts?: ActorOptions): Promise<SessionInfo> {
    return this.run('restoreVersion', onSession(id, true), (b) => b.restoreVersion(id, version, opts));
  }
  getMetadata(id: string): Promise<Record<string, unknown>> {
    return this.run('getMetadata', onSession(id), (b) => b.getMetadata(id));
  }
  updateMetadata(id: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.run('updateMetadata', onSession(id, true), (b) => b.updateMetadata(id, patch));
  }
  addAuditEntry(id: string, entry: AuditInput): Promise<AuditEntry> {
    return this.run('addAuditEntry', onSession(id, true), (b) => b.addAuditEntry(id, entry));
  }
  getAuditLog(id: string, query?: AuditQuery): Promise<AuditEntry[]> {
    return this.run('getAuditLog', onSession(id), (b) => b.getAuditLog(id, query));
  }
  getInitialRows(id: string): Promise<number> {
    return this.run('getInitialRows', onSession(id), (b) => b.getInitialRows(id));
  }
  markIntentionalMissing(id: string, mark: Mark): Promise<void> {
    return this.run('markIntentionalMissing', onSession(id, true), (b) => b.markIntentionalMissing(id, mark));
  }
  markIntentionalMissingBatch(id: string, marks: Mark[]): Promise<void> {
    return this.run('markIntentionalMissingBatch', onSession(id, true), (b) =>
      b.markIntentionalMissingBatch(id, marks),
    );
  }
  getIntentionalMissing(id: string): Promise<MarkedCell[]> {
    return this.run('getIntentionalMissing', onSession(id), (b) => b.getIntentionalMissing(id));
  }
  clearIntentionalMissing(id: string, cells?: CellRef[]): Promise<number> {
    return this.run('clearIntentionalMissing', onSession(id, true), (b) =>
      b.clearIntentionalMissing(id, cells),
    );
  }
  storeTempSheets(sheets: Record<string, Table>, opts?: StoreTempOptions): Promise<TempUploadInfo> {
    return this.run('storeTempSheets', { created: (r: TempUploadInfo) => [uploadRef(r.uploadId)] }, (b) =>
      b.storeTempSheets(sheets, opts),
    );
  }
  listTempSheets(uploadId: string): Promise<TempUploadInfo> {
    return this.run('listTempSheets', onUpload(uploadId), (b) => b.listTempSheets(uploadId));
  }
  getTempSheet(uploadId: string, name: string): Promise<Table> {
    return this.run('getTempSheet', onUpload(uploadId), (b) => b.getTempSheet(uploadId, name));
  }
  deleteTemp(uploadId: string): Promise<boolean> {
    return this.run('deleteTemp', { ...onUpload(uploadId, true), bothStores: true }, (b) =>
      b.deleteTemp(uploadId),
    );
  }
  promoteTempSheet(uploadId: string, name: string, opts?: PromoteOptions): Promise<SessionInfo> {
    return this.run(
      'promoteTempSheet',
      { ...onUpload(uploadId, true), created: (r: SessionInfo) => [sessionRef(r.sessionId)] },
      (b) => b.promoteTempSheet(uploadId, name, opts),
    );
  }
  /** Moves the session in first (read-through), so nothing inside `fn` needs to take the lock a second time. */
  async withLock<T>(id: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T> {
    if (this.routing.router.hasReadThrough()) await this.sessionExists(id);
    return this.run('withLock', onSession(id), (b) => b.withLock(id, fn, opts));
  }
  cleanupExpired(): Promise<number> {
    return this.run('cleanupExpired', {}, (b) => b.cleanupExpired());
  }
  getStats(): Promise<StorageStats> {
    return this.run('getStats', {}, (b) => b.getStats());
  }
  exportSession(id: string): Promise<SessionSnapshot> {
    return this.run('exportSession', onSession(id), (b) => b.exportSession(id));
  }
  importSession(snapshot: SessionSnapshot, opts?: ImportOptions): Promise<SessionInfo> {
    return this.run('importSession', { created: () => [sessionRef(snapshot.sessionId)] }, (b) =>
      b.importSession(snapshot, opts),
    );
  }
  listTempUploads(opts?: ListSessionsOptions): Promise<ListTempUploadsResult> {
    return this.run('listTempUploads', {}, (b) => b.listTempUploads(opts));
  }
  exportTempUpload(uploadId: string): Promise<TempUploadSnapshot> {
    return this.run('exportTempUpload', onUpload(uploadId), (b) => b.exportTempUpload(uploadId));
  }
  importTempUpload(snapshot: TempUploadSnapshot, opts?: ImportOptions): Promise<TempUploadInfo> {
    return this.run('importTempUpload', { created: () => [uploadRef(snapshot.uploadId)] }, (b) =>
      b.importTempUpload(snapshot, opts),
    );
  }

  /** The serving store's report plus breaker state, write-back backlog and fallback reason. */
  async healthCheck(): Promise<HealthReport> {
    let report: HealthReport;
    try {
      report = await this.run('healthCheck', { unreachable: redisDown }, (b) => b.healthCheck());
      // This very check may have opened the circuit: then report on the store that now serves.
      if (report.backendType !== this.getBackendType())
        report = await this.run('healthCheck', {}, (b) => b.healthCheck());
    } catch (error) {
      report = unreachableReport(
        this.getBackendType(),
        error instanceof Error ? error.message : String(error),
      );
    }
    const fallbackReason = this.isFallbackActive() ? this.getFallbackReason() : undefined;
    return decorateHealth(report, healthStateOf(this.routing, fallbackReason, this.config.storageDir));
  }

  /** Stops probes, lets a write-back under way finish, closes every store once; later calls are no-ops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const closeOne of this.routing.closers) {
      try {
        await closeOne();
      } catch (error) {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'close failed');
      }
    }
  }
}
