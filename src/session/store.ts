import type { Table } from 'apache-arrow';
import { LRUCache } from 'lru-cache';
import type {
  AuditEntry,
  BackendType,
  HealthReport,
  ListSessionsOptions,
  LockOptions,
  MarkedCell,
  SheetInfo,
  StorageStats,
  VersionInfo,
} from '../contract/storage-backend.js';
import type { FrameManifest } from './chunks/manifest.js';

/**
 * The primitives a store offers the session engine (docs/architecture.md, "One engine"). A store holds no
 * session rule: it keeps records, immutable frames, audit entries and marks, and commits a change atomically
 * when the revision it was computed from is still the stored one. Everything a user can observe (history
 * transitions, limits, audit content, metadata merge, marks checks) is decided by the engine above it.
 */

/**
 * A frame the record points at: an immutable blob named by id within the session (the whole-frame format),
 * or — with a manifest — a list of column chunks, each its own blob (docs/chunks.md).
 */
export interface FrameRef {
  frameId: string;
  rows: number;
  columns: number;
  bytes: number;
  manifest?: FrameManifest;
}

/** A history or redo entry: its public info and the frame it names. */
export interface StoredVersion {
  info: VersionInfo;
  frameId: string;
  manifest?: FrameManifest;
}

/** One session as the engine sees it; stores persist it as they like (state.json, a Redis hash). */
export interface SessionRecord {
  sessionId: string;
  filename?: string;
  createdAt: string;
  updatedAt: string;
  ttlSeconds: number;
  version: number;
  current: FrameRef;
  history: StoredVersion[];
  redo: StoredVersion[];
  metadata: Record<string, unknown>;
  /** Counters of the audit log; `lastUser` is the user of its newest entry that names one. */
  audit: { count: number; lastSeq: number; initialRows: number; lastUser?: string };
  marks: { count: number };
}

/** A record as loaded: with the expiry it has now (after the slide, when the load slid it). */
export interface LoadedSession {
  record: SessionRecord;
  expiresAtMs: number;
}

/**
 * Where a new frame's bytes come from: encoded bytes, or a frame the store already holds elsewhere (a temp
 * upload's sheet) that it may link instead of copying.
 */
export type FrameSource =
  | { kind: 'bytes'; bytes: Uint8Array; table?: Table }
  | { kind: 'sheet'; uploadId: string; sheet: UploadSheet; consume: boolean };

export interface NewFrame {
  frameId: string;
  source: FrameSource;
}

/**
 * What one commit changes, in one atomic step: the next record, the frames it adds, the audit entries it
 * appends (already numbered), the new marks list (when changed). Frames only the previous record named are
 * deleted in the same step (the store derives them from the two records).
 */
export interface SessionChange {
  record: SessionRecord;
  frames?: NewFrame[];
  audit?: AuditEntry[];
  marks?: MarkedCell[];
  /** Keep `record.updatedAt` instead of stamping the commit time (imports keep the source's). */
  keepUpdatedAt?: boolean;
  /** Last access to record (the sliding TTL counts from it); default now. */
  touchAtMs?: number;
}

/** The outcome of a change function: the change to commit (undefined: nothing to write) and its result. */
export interface ChangeStep<R> {
  change?: SessionChange;
  result: R;
}

export interface SessionStore {
  readonly backendType: BackendType;

  /** The live record (undefined when missing or expired); `slide` moves its expiry forward. */
  load(id: string, slide: boolean): Promise<LoadedSession | undefined>;
  /**
   * The read-modify-write of one session: `fn` gets the live record and returns the change; the store commits
   * it only if the record is still the one `fn` saw (otherwise `fn` runs again on the new one), so `fn` must
   * not have side effects. Inside `withLock`, writes are fenced on the holder's revision (STALE_WRITE).
   * SESSION_NOT_FOUND when the session is missing or expired.
   */
  update<R>(
    id: string,
    fn: (loaded: LoadedSession) => Promise<ChangeStep<R>> | ChangeStep<R>,
  ): Promise<{ loaded: LoadedSession; result: R }>;
  /**
   * Writes a whole new session (create, promote, import). Refuses with STALE_WRITE when a live one exists,
   * unless `overwrite`; the previous session's frames go in the same step.
   */
  create(change: SessionChange, opts: { overwrite: boolean }): Promise<LoadedSession>;
  /** true when a live session was deleted (an expired one is removed too, but reports false). */
  remove(id: string): Promise<boolean>;
  /** Does not slide the TTL. */
  exists(id: string): Promise<boolean>;
  /** A new session id; `nearUploadId` when promoting that upload (a clustered store keeps both in one slot). */
  newSessionId(nearUploadId?: string): string;

  /** A frame decoded (cached); undefined when the frame is gone (a concurrent commit dropped it). */
  readFrame(id: string, frameId: string): Promise<Table | undefined>;
  /** Several blobs of one session at once (the chunks of one read), in order; as readFrame for each. */
  readFrames(id: string, frameIds: readonly string[]): Promise<(Table | undefined)[]>;
  /** A frame as stored (header + payload); undefined when it is gone. */
  readFrameBytes(id: string, frameId: string): Promise<Uint8Array | undefined>;
  /** Every committed audit entry of the record, oldest first. */
  readAudit(id: string, record: SessionRecord): Promise<AuditEntry[]>;
  readMarks(id: string, record: SessionRecord): Promise<MarkedCell[]>;

  list(opts: ListSessionsOptions): Promise<{ sessions: LoadedSession[]; cursor?: string }>;
  count(): Promise<number>;
  /** `fn` runs holding the session's lock across processes; store writes inside it are fenced. */
  withLock<T>(id: string, fn: () => Promise<T>, opts: LockOptions): Promise<T>;
}

/** A sheet of a temp upload as stored: its public info and the blob that holds its frame. */
export interface UploadSheet {
  info: SheetInfo;
  frameId: string;
  /** How the store split the sheet's bytes (its own business; handed back with the frame source). */
  chunks?: number;
}

/** One temp upload as the engine sees it. */
export interface UploadRecord {
  uploadId: string;
  filename?: string;
  createdAt: string;
  ttlSeconds: number;
  expiresAtMs: number;
  sheets: UploadSheet[];
}

/** An upload to write whole: its fields, and each sheet's frame bytes (with the table, when known, for caches). */
export interface NewUpload extends Omit<UploadRecord, 'sheets'> {
  sheets: { info: SheetInfo; bytes: Uint8Array; table?: Table }[];
}

/**
 * Temp uploads are a waiting room of immutable sheets (no history, no audit) with a fixed lifetime. What a
 * user sees of them is decided by the engine (session/engine-uploads.ts); the store keeps records and bytes.
 */
export interface UploadStore {
  /** The upload as stored (undefined when missing); the engine treats one past its expiry as missing. */
  load(uploadId: string): Promise<UploadRecord | undefined>;
  /**
   * Writes the sheets, then the record as the one commit point. STALE_WRITE when a live upload has this id,
   * unless `overwrite` (its sheets then go in the same step).
   */
  put(upload: NewUpload, opts: { overwrite: boolean }): Promise<UploadRecord>;
  /** A sheet decoded (cached where the store caches); undefined when its blob is gone. */
  readSheet(uploadId: string, sheet: UploadSheet): Promise<Table | undefined>;
  /** A sheet's frame as stored; undefined when it is gone. */
  readSheetBytes(uploadId: string, sheet: UploadSheet): Promise<Uint8Array | undefined>;
  /** true when a live upload was deleted (an expired one is removed too, but reports false). */
  remove(uploadId: string): Promise<boolean>;
  /** A page of live uploads. */
  list(opts: ListSessionsOptions): Promise<{ uploads: UploadRecord[]; cursor?: string }>;
  /**
   * Runs `fn` with the upload (undefined when missing) so that a sheet is promoted once: under the upload's
   * lock, removing the upload afterwards unless `keep` — or, where the store can do it atomically, by the
   * commit of the frame source flagged `consume` (which then fails UPLOAD_NOT_FOUND for an upload already gone).
   */
  withUpload<R>(
    uploadId: string,
    keep: boolean,
    fn: (upload: UploadRecord | undefined) => Promise<R>,
  ): Promise<R>;
}

/** What the engine hands through to the store unchanged: uploads' storage, maintenance and health. */
export interface StoreServices {
  cleanupExpired(): Promise<number>;
  healthCheck(): Promise<HealthReport>;
  /** What the store adds to getStats (its cache's counters, its mode); the counts come from the engine. */
  statsDetails(): Partial<StorageStats>;
  close(): Promise<void>;
}

/**
 * Every blob a record names (current, history, redo): whole frames, and the chunks of chunked frames. This is
 * the reference count of chunks: a chunk lives while one of these frames names it.
 */
export function referencedFrames(record: SessionRecord): ReadonlySet<string> {
  const frames = [record.current, ...record.history, ...record.redo];
  // A commit asks several times about the same record (what to write, what to drop, what to pin): with
  // hundreds of chunks per frame, compute it once per record and set of frames (frames are immutable by id).
  const key = frames
    .map((frame) =>
      frame.manifest === undefined ? frame.frameId : `${frame.frameId}#${serialOf(frame.manifest)}`,
    )
    .join(',');
  const known = referenced.get(record);
  if (known?.key === key) return known.ids;
  // Records are rebuilt on every load, but the stores hand out one manifest object per distinct manifest:
  // the same frames with the same manifest objects name the same blobs, whatever record holds them.
  const shared = referencedByFrames.get(key);
  if (shared !== undefined) {
    referenced.set(record, { key, ids: shared });
    return shared;
  }
  const ids = new Set<string>();
  for (const frame of frames) {
    if (frame.manifest === undefined) ids.add(frame.frameId);
    else for (const column of frame.manifest.columns) for (const chunk of column.chunks) ids.add(chunk);
  }
  referenced.set(record, { key, ids });
  referencedByFrames.set(key, ids);
  return ids;
}

const referenced = new WeakMap<SessionRecord, { key: string; ids: ReadonlySet<string> }>();
const referencedByFrames = new LRUCache<string, ReadonlySet<string>>({ max: 512 });

/** A number per manifest object (objects, not contents: two equal manifests parsed apart get two numbers). */
const manifestSerials = new WeakMap<object, number>();
let nextSerial = 0;
function serialOf(manifest: object): number {
  let serial = manifestSerials.get(manifest);
  if (serial === undefined) {
    serial = nextSerial++;
    manifestSerials.set(manifest, serial);
  }
  return serial;
}

/** Stored bytes of every blob a record names, each counted once (a chunk shared by frames counts once). */
export function storedBytes(record: SessionRecord): number {
  const sizes = new Map<string, number>();
  for (const frame of [record.current, ...record.history, ...record.redo]) {
    const bytes = 'info' in frame ? frame.info.bytes : frame.bytes;
    if (frame.manifest === undefined) sizes.set(frame.frameId, bytes);
    else
      for (const column of frame.manifest.columns)
        column.chunks.forEach((chunk, index) => {
          sizes.set(chunk, column.bytes[index] ?? 0);
        });
  }
  let total = 0;
  for (const bytes of sizes.values()) total += bytes;
  return total;
}

/** The blobs of `change` worth writing: named by its record and not already stored under `previous`. */
export function framesToWrite(previous: SessionRecord | undefined, change: SessionChange): NewFrame[] {
  const named = referencedFrames(change.record);
  const stored = previous === undefined ? new Set<string>() : referencedFrames(previous);
  const seen = new Set<string>();
  return (change.frames ?? []).filter((frame) => {
    if (!named.has(frame.frameId) || stored.has(frame.frameId) || seen.has(frame.frameId)) return false;
    seen.add(frame.frameId);
    return true;
  });
}

/** Frames the previous record named and the next one does not: deleted by the commit that drops them. */
export function droppedFrames(previous: SessionRecord | undefined, next: SessionRecord): string[] {
  if (previous === undefined) return [];
  const keep = referencedFrames(next);
  return [...referencedFrames(previous)].filter((frameId) => !keep.has(frameId));
}
