import type { Table } from 'apache-arrow';
import { isStorageError, StorageError } from '../contract/errors.js';
import { assertValidId } from '../contract/ids.js';
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
import * as notes from './engine-annotations.js';
import { type EngineContext, infoOf, open } from './engine-context.js';
import * as frames from './engine-frames.js';
import * as reads from './engine-reads.js';
import { storageStats } from './engine-stats.js';
import * as transfer from './engine-transfer.js';
import * as uploads from './engine-uploads.js';
import { LOCK_TTL_MIN_MS } from './limits.js';
import { lockPlan } from './lock-backoff.js';
import type { StoreServices } from './store.js';
import * as check from './validate.js';

/**
 * The session semantics, once (docs/semantics.md): every StorageBackend method validates its input, applies
 * the rules and talks to its store only through the store primitives (session/store.ts). Backends are this
 * engine over a store.
 */
export class SessionEngine implements StorageBackend {
  readonly backendType: BackendType;
  private closed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly services: StoreServices,
    /** Turns a store's own failure (a failing disk, a lost connection) into a StorageError. */
    private readonly failure: (error: unknown) => StorageError,
  ) {
    this.backendType = ctx.store.backendType;
  }

  /** Closed check + every non-StorageError reported through the store's translation. */
  protected async run<T>(body: () => Promise<T> | T): Promise<T> {
    if (this.closed) throw new StorageError('BACKEND_UNAVAILABLE', 'the storage backend is closed');
    try {
      return await body();
    } catch (error) {
      throw isStorageError(error) ? error : this.failure(error);
    }
  }

  /** Runs `body` after the session id has been validated (before any I/O). */
  private session<T>(id: string, body: () => Promise<T> | T): Promise<T> {
    return this.run(() => {
      assertValidId(id);
      return body();
    });
  }

  /** As `session`, for a temp upload's id. */
  private upload<T>(uploadId: string, body: () => Promise<T> | T): Promise<T> {
    return this.run(() => {
      assertValidId(uploadId, 'upload');
      return body();
    });
  }

  createSession(table: Table, opts: CreateSessionOptions = {}): Promise<SessionInfo> {
    return this.run(() => {
      check.assertTable(table);
      check.assertCreateOptions(opts);
      return frames.createSession(this.ctx, table, opts);
    });
  }

  getSession(id: string): Promise<SessionInfo> {
    return this.session(id, async () => infoOf(await open(this.ctx, id)));
  }

  sessionExists(id: string): Promise<boolean> {
    return this.session(id, () => this.ctx.store.exists(id));
  }

  deleteSession(id: string): Promise<boolean> {
    return this.session(id, () => this.ctx.store.remove(id));
  }

  getDataFrame(id: string, opts?: ReadOptions): Promise<Table> {
    return this.session(id, () => reads.readFrame(this.ctx, id, 'current', opts));
  }

  updateDataFrame(id: string, table: Table, change: ChangeInput): Promise<SessionInfo> {
    return this.session(id, () => {
      check.assertTable(table);
      check.assertChange(change);
      return frames.updateFrame(this.ctx, id, table, change);
    });
  }

  listSessions(opts: ListSessionsOptions = {}): Promise<ListSessionsResult> {
    return this.run(async () => {
      check.listLimit(opts);
      const page = await this.ctx.store.list(opts);
      const sessions = page.sessions.map(infoOf);
      return page.cursor === undefined ? { sessions } : { sessions, cursor: page.cursor };
    });
  }

  countSessions(): Promise<number> {
    return this.run(() => this.ctx.store.count());
  }

  touchSession(id: string, ttlSeconds?: number): Promise<SessionInfo> {
    return this.session(id, () => notes.touchSession(this.ctx, id, ttlSeconds));
  }

  createVersion(id: string, label?: string): Promise<VersionInfo> {
    return this.session(id, () => frames.createVersion(this.ctx, id, label));
  }

  listVersions(id: string): Promise<VersionInfo[]> {
    return this.session(id, () => frames.listVersions(this.ctx, id));
  }

  getVersion(id: string, version: number, opts?: ReadOptions): Promise<Table> {
    return this.session(id, () => {
      check.assertVersionNumber(version);
      return reads.readFrame(this.ctx, id, version, opts);
    });
  }

  diffVersions(id: string, from: VersionRef, to: VersionRef): Promise<FrameDiff> {
    return this.session(id, () => reads.diffVersions(this.ctx, id, from, to));
  }

  undoLastChange(id: string, opts: ActorOptions = {}): Promise<SessionInfo> {
    return this.session(id, () => frames.undo(this.ctx, id, opts));
  }

  redo(id: string, opts: ActorOptions = {}): Promise<SessionInfo> {
    return this.session(id, () => frames.redo(this.ctx, id, opts));
  }

  restoreVersion(id: string, version: number, opts: ActorOptions = {}): Promise<SessionInfo> {
    return this.session(id, () => frames.restore(this.ctx, id, version, opts));
  }

  getMetadata(id: string): Promise<Record<string, unknown>> {
    return this.session(id, () => notes.getMetadata(this.ctx, id));
  }

  updateMetadata(id: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.session(id, () => notes.updateMetadata(this.ctx, id, patch));
  }

  addAuditEntry(id: string, entry: AuditInput): Promise<AuditEntry> {
    return this.session(id, () => notes.addAuditEntry(this.ctx, id, entry));
  }

  getAuditLog(id: string, query: AuditQuery = {}): Promise<AuditEntry[]> {
    return this.session(id, () => notes.getAuditLog(this.ctx, id, query));
  }

  getInitialRows(id: string): Promise<number> {
    return this.session(id, () => notes.getInitialRows(this.ctx, id));
  }

  markIntentionalMissing(id: string, mark: Mark): Promise<void> {
    return this.session(id, () => {
      check.assertMark(mark);
      return notes.markBatch(this.ctx, id, [mark]);
    });
  }

  markIntentionalMissingBatch(id: string, marks: Mark[]): Promise<void> {
    return this.session(id, () => notes.markBatch(this.ctx, id, marks));
  }

  getIntentionalMissing(id: string): Promise<MarkedCell[]> {
    return this.session(id, () => notes.getMarks(this.ctx, id));
  }

  clearIntentionalMissing(id: string, cells?: CellRef[]): Promise<number> {
    return this.session(id, () => notes.clearMarks(this.ctx, id, cells));
  }

  storeTempSheets(sheets: Record<string, Table>, opts: StoreTempOptions = {}): Promise<TempUploadInfo> {
    return this.run(() => uploads.storeTempSheets(this.ctx, sheets, opts));
  }

  listTempSheets(uploadId: string): Promise<TempUploadInfo> {
    return this.upload(uploadId, () => uploads.listTempSheets(this.ctx, uploadId));
  }

  getTempSheet(uploadId: string, name: string): Promise<Table> {
    return this.upload(uploadId, () => uploads.getTempSheet(this.ctx, uploadId, name));
  }

  deleteTemp(uploadId: string): Promise<boolean> {
    return this.upload(uploadId, () => uploads.deleteTemp(this.ctx, uploadId));
  }

  promoteTempSheet(uploadId: string, name: string, opts: PromoteOptions = {}): Promise<SessionInfo> {
    return this.run(() => transfer.promoteTempSheet(this.ctx, uploadId, name, opts));
  }

  withLock<T>(id: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    if (this.closed)
      return Promise.reject(new StorageError('BACKEND_UNAVAILABLE', 'the storage backend is closed'));
    try {
      assertValidId(id);
      if (typeof fn !== 'function') throw new StorageError('INVALID_INPUT', 'withLock needs a function');
      // The options are checked here, before any store sees them, nested or not (the store fills defaults).
      lockPlan(opts, { ttlMs: LOCK_TTL_MIN_MS, retryCount: 0 });
    } catch (error) {
      return Promise.reject(error);
    }
    // User errors from fn pass through untouched; only the lock itself reports StorageErrors.
    return this.ctx.store.withLock(id, fn, opts);
  }

  cleanupExpired(): Promise<number> {
    return this.run(() => this.services.cleanupExpired());
  }

  healthCheck(): Promise<HealthReport> {
    return this.run(() => this.services.healthCheck());
  }

  getStats(): Promise<StorageStats> {
    return this.run(async () => ({
      backendType: this.backendType,
      ...(await storageStats(this.ctx)),
      ...this.services.statsDetails(),
    }));
  }

  /** Later calls fail with BACKEND_UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.services.close();
  }

  exportSession(id: string): Promise<SessionSnapshot> {
    return this.session(id, () => transfer.exportSession(this.ctx, id));
  }

  importSession(snapshot: SessionSnapshot, opts: ImportOptions = {}): Promise<SessionInfo> {
    return this.run(() => transfer.importSession(this.ctx, snapshot, opts));
  }

  listTempUploads(opts: ListSessionsOptions = {}): Promise<ListTempUploadsResult> {
    return this.run(() => uploads.listTempUploads(this.ctx, opts));
  }

  exportTempUpload(uploadId: string): Promise<TempUploadSnapshot> {
    return this.upload(uploadId, () => uploads.exportTempUpload(this.ctx, uploadId));
  }

  importTempUpload(snapshot: TempUploadSnapshot, opts: ImportOptions = {}): Promise<TempUploadInfo> {
    return this.run(() => uploads.importTempUpload(this.ctx, snapshot, opts));
  }
}
