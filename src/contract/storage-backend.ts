import type { Table } from 'apache-arrow';
import type { FrameDiff, ReadOptions, VersionRef } from './frame-reads.js';
import type { HealthReport, StorageStats } from './health-types.js';
import type { ImportOptions, SessionSnapshot, TempUploadSnapshot } from './snapshot-types.js';

export type { FrameDiff, ReadOptions, VersionRef } from './frame-reads.js';
export type {
  HealthCheckResult,
  HealthReport,
  HealthStatus,
  RedisInfo,
  RedisNodeInfo,
  StorageStats,
} from './health-types.js';
export type {
  ImportOptions,
  SessionSnapshot,
  SnapshotVersion,
  TempUploadSnapshot,
} from './snapshot-types.js';

/** The storage contract (§2): domain types and the StorageBackend interface. Timestamps are ISO-8601 strings. */

export type BackendType = 'redis' | 'inmemory';

export interface SessionInfo {
  sessionId: string;
  filename?: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  /** Rows of the current frame. */
  rows: number;
  /** Columns of the current frame. */
  columns: number;
  /** Stored (encoded) bytes of the current frame. */
  bytes: number;
  /**
   * Monotonic state version: +1 on every change of the current frame or its history
   * (update, createVersion, undo, redo, restore). Writers are fenced on it (STALE_WRITE).
   */
  version: number;
  /** Entries in the version history (≤ MAX_VERSIONS). */
  versionCount: number;
  canUndo: boolean;
  canRedo: boolean;
  /** The user of the newest audit entry that names one (not empty): who touched the session last. */
  lastUser?: string;
}

/**
 * One entry of a session's history. `version` is the session `version` at which this
 * frame was current, so numbers are unique and increase within a session.
 */
export interface VersionInfo {
  version: number;
  label?: string;
  /** The change that moved this frame into history (`snapshot` for createVersion). */
  operation?: string;
  /** Who made that change (the `user` of the update or restore; none for createVersion). */
  user?: string;
  createdAt: string;
  rows: number;
  columns: number;
  bytes: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  operation: string;
  details?: Record<string, unknown>;
  user?: string;
  rowsBefore?: number;
  rowsAfter?: number;
}

export interface AuditInput {
  operation: string;
  details?: Record<string, unknown>;
  user?: string;
  rowsBefore?: number;
  rowsAfter?: number;
}

export interface ChangeInput {
  operation: string;
  details?: Record<string, unknown>;
  user?: string;
  /** Optimistic concurrency: refuse with STALE_WRITE unless the session is at this version. */
  expectedVersion?: number;
}

export interface CreateSessionOptions {
  filename?: string;
  metadata?: Record<string, unknown>;
  ttlSeconds?: number;
  /** Who uploaded; recorded on the initial `upload` audit entry. */
  user?: string;
}

export interface ListSessionsOptions {
  cursor?: string;
  limit?: number;
}

export interface ListSessionsResult {
  sessions: SessionInfo[];
  cursor?: string;
}

export interface AuditQuery {
  offset?: number;
  limit?: number;
}

/** A cell the user chose to leave empty. `row` is the 0-based row index in the current frame. */
export interface Mark {
  row: number;
  column: string;
  reason?: string;
}

export interface MarkedCell extends Mark {
  markedAt: string;
}

export interface CellRef {
  row: number;
  column: string;
}

export interface SheetInfo {
  name: string;
  rows: number;
  columns: number;
  bytes: number;
}

export interface TempUploadInfo {
  uploadId: string;
  filename?: string;
  createdAt: string;
  expiresAt: string;
  sheets: SheetInfo[];
}

export interface StoreTempOptions {
  filename?: string;
  ttlSeconds?: number;
}

export interface PromoteOptions extends CreateSessionOptions {
  /** Keep the temp upload after promoting (default: it is deleted in the same step). */
  keepUpload?: boolean;
}

/** Who asked for an undo, redo or restore; recorded on its audit entry. */
export interface ActorOptions {
  user?: string;
}

export interface LockOptions {
  /** Lock lease; extended automatically while fn runs. Default LOCK_TTL_MS. */
  ttlMs?: number;
  /** Attempts before LOCK_TIMEOUT. Default LOCK_RETRY_COUNT. */
  retryCount?: number;
  /** Base delay of the exponential backoff (jittered). */
  retryDelayMs?: number;
}

export interface ListTempUploadsResult {
  uploads: TempUploadInfo[];
  cursor?: string;
}

/**
 * The storage contract (§2). Every backend and the DataManager implement it.
 * Every method validates ids before any I/O and throws only StorageError.
 */
export interface StorageBackend {
  readonly backendType: BackendType;

  // Sessions
  createSession(table: Table, opts?: CreateSessionOptions): Promise<SessionInfo>;
  getSession(id: string): Promise<SessionInfo>;
  sessionExists(id: string): Promise<boolean>;
  deleteSession(id: string): Promise<boolean>;
  /** The current frame, or the part `opts` asks for (§2 ReadOptions). */
  getDataFrame(id: string, opts?: ReadOptions): Promise<Table>;
  updateDataFrame(id: string, table: Table, change: ChangeInput): Promise<SessionInfo>;
  listSessions(opts?: ListSessionsOptions): Promise<ListSessionsResult>;
  countSessions(): Promise<number>;
  touchSession(id: string, ttlSeconds?: number): Promise<SessionInfo>;

  // Versions
  createVersion(id: string, label?: string): Promise<VersionInfo>;
  listVersions(id: string): Promise<VersionInfo[]>;
  getVersion(id: string, version: number, opts?: ReadOptions): Promise<Table>;
  /** What changed between two frames the session holds (a version number or 'current'). */
  diffVersions(id: string, from: VersionRef, to: VersionRef): Promise<FrameDiff>;
  undoLastChange(id: string, opts?: ActorOptions): Promise<SessionInfo>;
  redo(id: string, opts?: ActorOptions): Promise<SessionInfo>;
  restoreVersion(id: string, version: number, opts?: ActorOptions): Promise<SessionInfo>;

  // Metadata
  getMetadata(id: string): Promise<Record<string, unknown>>;
  updateMetadata(id: string, patch: Record<string, unknown>): Promise<Record<string, unknown>>;

  // Audit log
  addAuditEntry(id: string, entry: AuditInput): Promise<AuditEntry>;
  getAuditLog(id: string, query?: AuditQuery): Promise<AuditEntry[]>;
  getInitialRows(id: string): Promise<number>;

  // Intentional missing values
  markIntentionalMissing(id: string, mark: Mark): Promise<void>;
  markIntentionalMissingBatch(id: string, marks: Mark[]): Promise<void>;
  getIntentionalMissing(id: string): Promise<MarkedCell[]>;
  /** Clears the given cells, or all marks when omitted. Returns how many were removed. */
  clearIntentionalMissing(id: string, cells?: CellRef[]): Promise<number>;

  // Temporary multi-sheet uploads
  storeTempSheets(sheets: Record<string, Table>, opts?: StoreTempOptions): Promise<TempUploadInfo>;
  listTempSheets(uploadId: string): Promise<TempUploadInfo>;
  getTempSheet(uploadId: string, name: string): Promise<Table>;
  deleteTemp(uploadId: string): Promise<boolean>;
  promoteTempSheet(uploadId: string, name: string, opts?: PromoteOptions): Promise<SessionInfo>;

  // Locks and maintenance
  withLock<T>(id: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T>;
  cleanupExpired(): Promise<number>;
  healthCheck(): Promise<HealthReport>;
  getStats(): Promise<StorageStats>;
  close(): Promise<void>;

  // Transfer (§8): whole-session copies without re-encoding frames
  /** A consistent copy of the whole session (frames as stored bytes). Does not slide the TTL. */
  exportSession(id: string): Promise<SessionSnapshot>;
  /** Writes a whole session in one atomic step, keeping its id, history, audit and remaining TTL. */
  importSession(snapshot: SessionSnapshot, opts?: ImportOptions): Promise<SessionInfo>;
  listTempUploads(opts?: ListSessionsOptions): Promise<ListTempUploadsResult>;
  exportTempUpload(uploadId: string): Promise<TempUploadSnapshot>;
  importTempUpload(snapshot: TempUploadSnapshot, opts?: ImportOptions): Promise<TempUploadInfo>;
}
