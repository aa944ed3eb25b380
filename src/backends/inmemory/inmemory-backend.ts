import type { Table } from 'apache-arrow';
import { ByteLru } from '../../cache/byte-lru.js';
import { type FrameCodec, frameCodecFromConfig } from '../../codec/frame-codec.js';
import type { FramestoreConfig } from '../../config/load-config.js';
import { isStorageError, StorageError } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';
import type {
  ActorOptions,
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
} from '../../contract/storage-backend.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import * as check from '../../session/validate.js';
import { createNewSession } from './inmemory-create.js';
import * as edits from './inmemory-edits.js';
import { InMemoryLayout } from './inmemory-layout.js';
import { FileLocks } from './inmemory-lock.js';
import * as maintenance from './inmemory-maintenance.js';
import * as reads from './inmemory-reads.js';
import { SessionStore } from './inmemory-sessions.js';
import * as transfer from './inmemory-transfer.js';
import type { SessionTx } from './inmemory-tx.js';
import * as uploadOps from './inmemory-upload-ops.js';
import * as uploadTransfer from './inmemory-upload-transfer.js';
import { UploadStore } from './inmemory-uploads.js';
import * as versions from './inmemory-versions.js';

export interface InMemoryBackendOptions {
  logger?: Logger;
  /** Period of the expiry sweep (default 60 s; 0 disables it). */
  sweepIntervalMs?: number;
}

const DEFAULT_SWEEP_MS = 60_000;
const LOCK_RETRY_DELAY_MS = 25;

/**
 * The embedded store (§7): one folder per session under STORAGE_DIR, frames as immutable files, a small
 * state.json as each session's single commit point, and a byte-bounded LRU of decoded tables in memory.
 * Safe for several processes sharing STORAGE_DIR.
 */
export class InMemoryBackend implements StorageBackend {
  readonly backendType: BackendType = 'inmemory';
  private readonly codec: FrameCodec;
  private readonly cache: ByteLru<Table>;
  private readonly sessions: SessionStore;
  private readonly uploads: UploadStore;
  private readonly logger: Logger;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly config: FramestoreConfig,
    readonly layout: InMemoryLayout,
    opts: InMemoryBackendOptions,
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.codec = frameCodecFromConfig(config);
    this.cache = new ByteLru(config.memoryCacheMaxBytes);
    const locks = new FileLocks(
      layout.locksDir,
      { ttlMs: config.lockTtlMs, retryCount: config.lockRetryCount, retryDelayMs: LOCK_RETRY_DELAY_MS },
      this.logger,
    );
    this.sessions = new SessionStore(layout, locks, {
      codec: this.codec,
      cache: this.cache,
      logger: this.logger,
    });
    this.uploads = new UploadStore(layout, locks, this.codec, this.cache, config.tempTtlSeconds, this.logger);
    const every = opts.sweepIntervalMs ?? DEFAULT_SWEEP_MS;
    if (every > 0) {
      this.sweepTimer = setInterval(() => {
        this.cleanupExpired().catch((error) => this.logger.warn({ err: error }, 'expiry sweep failed'));
      }, every);
      this.sweepTimer.unref();
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
    return new InMemoryBackend(config, layout, opts);
  }

  /** Closed check + every non-StorageError (a failing disk) reported as BACKEND_UNAVAILABLE. */
  private async run<T>(body: () => Promise<T> | T): Promise<T> {
    if (this.closed) throw new StorageError('BACKEND_UNAVAILABLE', 'the storage backend is closed');
    try {
      return await body();
    } catch (error) {
      if (isStorageError(error)) throw error;
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      const full = code === 'ENOSPC' || code === 'EDQUOT';
      const message = full ? `local disk is full (${code}) under STORAGE_DIR` : 'local storage failed';
      throw new StorageError('BACKEND_UNAVAILABLE', message, { cause: error });
    }
  }

  /** Runs `body` after the session id has been validated (before any I/O). */
  private session<T>(id: string, body: () => Promise<T> | T): Promise<T> {
    return this.run(() => {
      assertValidId(id);
      return body();
    });
  }

  createSession(table: Table, opts: CreateSessionOptions = {}): Promise<SessionInfo> {
    return this.run(() => {
      check.assertTable(table);
      check.assertCreateOptions(opts);
      const bytes = this.codec.encode(table);
      const place = (tx: SessionTx) => tx.writeFrame(bytes);
      const frame = { place, rows: table.numRows, columns: table.numCols, bytes: bytes.byteLength, table };
      return createNewSession(this.sessions, frame, opts, this.config.sessionTtlSeconds);
    });
  }

  getSession(id: string): Promise<SessionInfo> {
    return this.session(id, () => reads.getSession(this.sessions, id));
  }

  sessionExists(id: string): Promise<boolean> {
    return this.session(id, () => reads.sessionExists(this.sessions, id));
  }

  deleteSession(id: string): Promise<boolean> {
    return this.session(id, () => reads.deleteSession(this.sessions, id));
  }

  getDataFrame(id: string): Promise<Table> {
    return this.session(id, () => this.sessions.readLive(id, (state) => state.current.frameId));
  }

  updateDataFrame(id: string, table: Table, change: ChangeInput): Promise<SessionInfo> {
    return this.session(id, () => {
      check.assertTable(table);
      check.assertChange(change);
      const bytes = this.codec.encode(table);
      return versions.updateFrame(this.sessions, this.config.maxVersions, id, table, bytes, change);
    });
  }

  listSessions(opts: ListSessionsOptions = {}): Promise<ListSessionsResult> {
    return this.run(() => {
      check.listLimit(opts);
      return maintenance.listSessions(this.sessions, opts, this.logger);
    });
  }

  countSessions(): Promise<number> {
    return this.run(() => maintenance.countSessions(this.sessions, this.logger));
  }

  touchSession(id: string, ttlSeconds?: number): Promise<SessionInfo> {
    return this.session(id, () => edits.touchSession(this.sessions, id, ttlSeconds));
  }

  createVersion(id: string, label?: string): Promise<VersionInfo> {
    return this.session(id, () => versions.createVersion(this.sessions, this.config.maxVersions, id, label));
  }

  listVersions(id: string): Promise<VersionInfo[]> {
    return this.session(id, () => reads.listVersions(this.sessions, id));
  }

  getVersion(id: string, version: number): Promise<Table> {
    return this.session(id, () => versions.getVersion(this.sessions, id, version));
  }

  undoLastChange(id: string, opts: ActorOptions = {}): Promise<SessionInfo> {
    return this.session(id, () => versions.undo(this.sessions, this.config.maxVersions, id, opts));
  }

  redo(id: string, opts: ActorOptions = {}): Promise<SessionInfo> {
    return this.session(id, () => versions.redo(this.sessions, this.config.maxVersions, id, opts));
  }

  restoreVersion(id: string, version: number, opts: ActorOptions = {}): Promise<SessionInfo> {
    const max = this.config.maxVersions;
    return this.session(id, () => versions.restore(this.sessions, max, id, version, opts));
  }

  getMetadata(id: string): Promise<Record<string, unknown>> {
    return this.session(id, () => reads.getMetadata(this.sessions, id));
  }

  updateMetadata(id: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.session(id, () => edits.updateMetadata(this.sessions, id, patch));
  }

  addAuditEntry(id: string, entry: AuditInput): Promise<AuditEntry> {
    return this.session(id, () => edits.addAuditEntry(this.sessions, id, entry));
  }

  getAuditLog(id: string, query: AuditQuery = {}): Promise<AuditEntry[]> {
    return this.session(id, () => reads.getAuditLog(this.sessions, id, query));
  }

  getInitialRows(id: string): Promise<number> {
    return this.session(id, () => reads.getInitialRows(this.sessions, id));
  }

  markIntentionalMissing(id: string, mark: Mark): Promise<void> {
    return this.session(id, () => edits.markOne(this.sessions, id, mark));
  }

  markIntentionalMissingBatch(id: string, marks: Mark[]): Promise<void> {
    return this.session(id, () => edits.markBatch(this.sessions, id, marks));
  }

  getIntentionalMissing(id: string): Promise<MarkedCell[]> {
    return this.session(id, () => edits.getMarks(this.sessions, id));
  }

  clearIntentionalMissing(id: string, cells?: CellRef[]): Promise<number> {
    return this.session(id, () => edits.clearMarks(this.sessions, id, cells));
  }

  storeTempSheets(sheets: Record<string, Table>, opts: StoreTempOptions = {}): Promise<TempUploadInfo> {
    return this.run(() => this.uploads.store(sheets, opts));
  }

  listTempSheets(uploadId: string): Promise<TempUploadInfo> {
    return this.run(() => uploadOps.listTempSheets(this.uploads, uploadId));
  }

  getTempSheet(uploadId: string, name: string): Promise<Table> {
    return this.run(() => uploadOps.getTempSheet(this.uploads, uploadId, name));
  }

  deleteTemp(uploadId: string): Promise<boolean> {
    return this.run(() => uploadOps.deleteTemp(this.uploads, uploadId));
  }

  promoteTempSheet(uploadId: string, name: string, opts: PromoteOptions = {}): Promise<SessionInfo> {
    const ttl = this.config.sessionTtlSeconds;
    return this.run(() => uploadOps.promoteTempSheet(this.sessions, this.uploads, ttl, uploadId, name, opts));
  }

  withLock<T>(id: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    if (this.closed)
      return Promise.reject(new StorageError('BACKEND_UNAVAILABLE', 'the storage backend is closed'));
    try {
      assertValidId(id);
      if (typeof fn !== 'function') throw new StorageError('INVALID_INPUT', 'withLock needs a function');
    } catch (error) {
      return Promise.reject(error);
    }
    // User errors from fn pass through untouched; only the lock itself reports StorageErrors.
    return this.sessions.withLock(id, fn, opts);
  }

  cleanupExpired(): Promise<number> {
    return this.run(() => maintenance.cleanupExpired(this.sessions, this.uploads, this.logger));
  }

  healthCheck(): Promise<HealthReport> {
    return this.run(async () => ({
      backendType: this.backendType,
      ...(await maintenance.health(this.sessions, this.cache.stats(), this.logger)),
    }));
  }

  getStats(): Promise<StorageStats> {
    return this.run(() => maintenance.stats(this.sessions, this.uploads, this.cache.stats(), this.logger));
  }

  /** Stops the sweep; later calls fail with BACKEND_UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.cache.clear();
  }

  exportSession(id: string): Promise<SessionSnapshot> {
    return this.session(id, () => transfer.exportSession(this.sessions, id));
  }

  importSession(snapshot: SessionSnapshot, opts: ImportOptions = {}): Promise<SessionInfo> {
    return this.run(() => transfer.importSession(this.sessions, this.codec, snapshot, opts));
  }

  listTempUploads(opts: ListSessionsOptions = {}): Promise<ListTempUploadsResult> {
    return this.run(() => {
      check.listLimit(opts);
      return uploadOps.listTempUploads(this.uploads, opts, this.logger);
    });
  }

  exportTempUpload(uploadId: string): Promise<TempUploadSnapshot> {
    return this.run(() => uploadTransfer.exportTempUpload(this.uploads, uploadId));
  }

  importTempUpload(snapshot: TempUploadSnapshot, opts: ImportOptions = {}): Promise<TempUploadInfo> {
    return this.run(() => uploadTransfer.importTempUpload(this.uploads, snapshot, opts));
  }
}
