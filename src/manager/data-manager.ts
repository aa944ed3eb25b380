import type { Table } from 'apache-arrow';
import type { FramestoreConfig } from '../config/load-config.js';
import { StorageError } from '../contract/errors.js';
import type {
  AuditEntry,
  AuditInput,
  AuditQuery,
  BackendType,
  CellRef,
  ChangeInput,
  CreateSessionOptions,
  HealthReport,
  ImportOptions,
  ListSessionsOptions,
  ListSessionsResult,
  ListTempUploadsResult,
  LockOptions,
  Mark,
  MarkedCell,
  PromoteOptions,
  SessionInfo,
  SessionSnapshot,
  StorageBackend,
  StorageStats,
  StoreTempOptions,
  TempUploadInfo,
  TempUploadSnapshot,
  VersionInfo,
} from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';

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
  backend: StorageBackend;
  /** Whether the configuration asked for Redis (true also while falling back). */
  redisEnabled: boolean;
  /** Set when Redis was asked for but the embedded store serves instead. */
  fallbackReason?: string;
}

/**
 * The one object the app talks to (§4): owns the chosen backend's lifecycle, reports which one
 * is live and why, and times every call for observers. Backends stay ignorant of each other.
 */
export class DataManager implements StorageBackend {
  readonly config: FramestoreConfig;
  readonly logger: Logger;
  private readonly backend: StorageBackend;
  private readonly redisEnabled: boolean;
  private readonly fallbackReason: string | undefined;
  private readonly observers = new Set<OperationObserver>();
  private closed = false;

  constructor(parts: DataManagerParts) {
    this.config = parts.config;
    this.logger = parts.logger;
    this.backend = parts.backend;
    this.redisEnabled = parts.redisEnabled;
    this.fallbackReason = parts.fallbackReason;
  }

  get backendType(): BackendType {
    return this.backend.backendType;
  }

  getBackendType(): BackendType {
    return this.backend.backendType;
  }

  isRedisEnabled(): boolean {
    return this.redisEnabled;
  }

  isFallbackActive(): boolean {
    return this.fallbackReason !== undefined;
  }

  getFallbackReason(): string | undefined {
    return this.fallbackReason;
  }

  /** The backend serving calls right now. */
  getActiveBackend(): StorageBackend {
    return this.backend;
  }

  addObserver(observer: OperationObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private async run<T>(operation: string, call: (backend: StorageBackend) => Promise<T>): Promise<T> {
    const backend = this.backend;
    const started = performance.now();
    try {
      const result = await call(backend);
      this.notify({ operation, backend: backend.backendType, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      const storageError =
        error instanceof StorageError
          ? error
          : new StorageError('BACKEND_UNAVAILABLE', `${operation} failed unexpectedly`, { cause: error });
      this.notify({
        operation,
        backend: backend.backendType,
        durationMs: performance.now() - started,
        error: storageError,
      });
      throw storageError;
    }
  }

  private notify(event: OperationEvent): void {
    for (const observer of this.observers) {
      try {
        observer.onOperation(event);
      } catch (error) {
        this.logger.warn({ err: error }, 'operation observer failed');
      }
    }
  }

  createSession(table: Table, opts?: CreateSessionOptions): Promise<SessionInfo> {
    return this.run('createSession', (b) => b.createSession(table, opts));
  }
  getSession(id: string): Promise<SessionInfo> {
    return this.run('getSession', (b) => b.getSession(id));
  }
  sessionExists(id: string): Promise<boolean> {
    return this.run('sessionExists', (b) => b.sessionExists(id));
  }
  deleteSession(id: string): Promise<boolean> {
    return this.run('deleteSession', (b) => b.deleteSession(id));
  }
  getDataFrame(id: string): Promise<Table> {
    return this.run('getDataFrame', (b) => b.getDataFrame(id));
  }
  updateDataFrame(id: string, table: Table, change: ChangeInput): Promise<SessionInfo> {
    return this.run('updateDataFrame', (b) => b.updateDataFrame(id, table, change));
  }
  listSessions(opts?: ListSessionsOptions): Promise<ListSessionsResult> {
    return this.run('listSessions', (b) => b.listSessions(opts));
  }
  countSessions(): Promise<number> {
    return this.run('countSessions', (b) => b.countSessions());
  }
  touchSession(id: string, ttlSeconds?: number): Promise<SessionInfo> {
    return this.run('touchSession', (b) => b.touchSession(id, ttlSeconds));
  }
  createVersion(id: string, label?: string): Promise<VersionInfo> {
    return this.run('createVersion', (b) => b.createVersion(id, label));
  }
  listVersions(id: string): Promise<VersionInfo[]> {
    return this.run('listVersions', (b) => b.listVersions(id));
  }
  getVersion(id: string, version: number): Promise<Table> {
    return this.run('getVersion', (b) => b.getVersion(id, version));
  }
  undoLastChange(id: string): Promise<SessionInfo> {
    return this.run('undoLastChange', (b) => b.undoLastChange(id));
  }
  redo(id: string): Promise<SessionInfo> {
    return this.run('redo', (b) => b.redo(id));
  }
  restoreVersion(id: string, version: number): Promise<SessionInfo> {
    return this.run('restoreVersion', (b) => b.restoreVersion(id, version));
  }
  getMetadata(id: string): Promise<Record<string, unknown>> {
    return this.run('getMetadata', (b) => b.getMetadata(id));
  }
  updateMetadata(id: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.run('updateMetadata', (b) => b.updateMetadata(id, patch));
  }
  addAuditEntry(id: string, entry: AuditInput): Promise<AuditEntry> {
    return this.run('addAuditEntry', (b) => b.addAuditEntry(id, entry));
  }
  getAuditLog(id: string, query?: AuditQuery): Promise<AuditEntry[]> {
    return this.run('getAuditLog', (b) => b.getAuditLog(id, query));
  }
  getInitialRows(id: string): Promise<number> {
    return this.run('getInitialRows', (b) => b.getInitialRows(id));
  }
  markIntentionalMissing(id: string, mark: Mark): Promise<void> {
    return this.run('markIntentionalMissing', (b) => b.markIntentionalMissing(id, mark));
  }
  markIntentionalMissingBatch(id: string, marks: Mark[]): Promise<void> {
    return this.run('markIntentionalMissingBatch', (b) => b.markIntentionalMissingBatch(id, marks));
  }
  getIntentionalMissing(id: string): Promise<MarkedCell[]> {
    return this.run('getIntentionalMissing', (b) => b.getIntentionalMissing(id));
  }
  clearIntentionalMissing(id: string, cells?: CellRef[]): Promise<number> {
    return this.run('clearIntentionalMissing', (b) => b.clearIntentionalMissing(id, cells));
  }
  storeTempSheets(sheets: Record<string, Table>, opts?: StoreTempOptions): Promise<TempUploadInfo> {
    return this.run('storeTempSheets', (b) => b.storeTempSheets(sheets, opts));
  }
  listTempSheets(uploadId: string): Promise<TempUploadInfo> {
    return this.run('listTempSheets', (b) => b.listTempSheets(uploadId));
  }
  getTempSheet(uploadId: string, name: string): Promise<Table> {
    return this.run('getTempSheet', (b) => b.getTempSheet(uploadId, name));
  }
  deleteTemp(uploadId: string): Promise<boolean> {
    return this.run('deleteTemp', (b) => b.deleteTemp(uploadId));
  }
  promoteTempSheet(uploadId: string, name: string, opts?: PromoteOptions): Promise<SessionInfo> {
    return this.run('promoteTempSheet', (b) => b.promoteTempSheet(uploadId, name, opts));
  }
  withLock<T>(id: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T> {
    return this.run('withLock', (b) => b.withLock(id, fn, opts));
  }
  cleanupExpired(): Promise<number> {
    return this.run('cleanupExpired', (b) => b.cleanupExpired());
  }
  getStats(): Promise<StorageStats> {
    return this.run('getStats', (b) => b.getStats());
  }
  exportSession(id: string): Promise<SessionSnapshot> {
    return this.run('exportSession', (b) => b.exportSession(id));
  }
  importSession(snapshot: SessionSnapshot, opts?: ImportOptions): Promise<SessionInfo> {
    return this.run('importSession', (b) => b.importSession(snapshot, opts));
  }
  listTempUploads(opts?: ListSessionsOptions): Promise<ListTempUploadsResult> {
    return this.run('listTempUploads', (b) => b.listTempUploads(opts));
  }
  exportTempUpload(uploadId: string): Promise<TempUploadSnapshot> {
    return this.run('exportTempUpload', (b) => b.exportTempUpload(uploadId));
  }
  importTempUpload(snapshot: TempUploadSnapshot, opts?: ImportOptions): Promise<TempUploadInfo> {
    return this.run('importTempUpload', (b) => b.importTempUpload(snapshot, opts));
  }

  /** The backend's report, degraded while the embedded store stands in for Redis. */
  async healthCheck(): Promise<HealthReport> {
    const report = await this.run('healthCheck', (b) => b.healthCheck());
    if (this.fallbackReason === undefined) return report;
    return {
      ...report,
      status: report.status === 'unhealthy' ? 'unhealthy' : 'degraded',
      checks: { ...report.checks, fallback: { status: 'degraded', message: this.fallbackReason } },
    };
  }

  /** Closes the backend once; later calls are no-ops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close();
  }
}
