import type { Table } from 'apache-arrow';
import type { FrameCodec } from '../codec/frame-codec.js';
import { corruptData, StorageError, sessionNotFound } from '../contract/errors.js';
import type { ReadOptions } from '../contract/frame-reads.js';
import { randomId } from '../contract/ids.js';
import type { SessionInfo } from '../contract/storage-backend.js';
import type { ChunkContext } from './chunks/chunk-context.js';
import { readChunkedFrame } from './chunks/chunk-reader.js';
import { sliceTable } from './read-options.js';
import type { FrameRef, LoadedSession, SessionRecord, SessionStore, UploadStore } from './store.js';

/** What every engine operation works with: the stores and the settings that shape the semantics. */
export interface EngineContext {
  store: SessionStore;
  uploads: UploadStore;
  codec: FrameCodec;
  maxVersions: number;
  chunks: ChunkContext;
  sessionTtlSeconds: number;
  /** Lifetime of a temp upload when storeTempSheets names none. */
  tempTtlSeconds: number;
}

/** A fresh frame id (never reused, so a cached table keyed by it can never be stale). */
export const newFrameId = (): string => randomId(12);

/** Public view of a session. */
export function toSessionInfo(record: SessionRecord, expiresAtMs: number): SessionInfo {
  return {
    sessionId: record.sessionId,
    ...(record.filename ? { filename: record.filename } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    expiresAt: new Date(expiresAtMs).toISOString(),
    rows: record.current.rows,
    columns: record.current.columns,
    bytes: record.current.bytes,
    version: record.version,
    versionCount: record.history.length,
    canUndo: record.history.length > 0,
    canRedo: record.redo.length > 0,
    ...(record.audit.lastUser !== undefined ? { lastUser: record.audit.lastUser } : {}),
  };
}

export const infoOf = (loaded: LoadedSession): SessionInfo =>
  toSessionInfo(loaded.record, loaded.expiresAtMs);

/** The live session or SESSION_NOT_FOUND. */
export async function open(ctx: EngineContext, id: string, slide = true): Promise<LoadedSession> {
  const loaded = await ctx.store.load(id, slide);
  if (loaded === undefined) throw sessionNotFound(id);
  return loaded;
}

/** Does the record still name this frame (as current, a version or a redo entry)? */
const namesFrame = (record: SessionRecord, frameId: string): boolean =>
  [record.current, ...record.history, ...record.redo].some((frame) => frame.frameId === frameId);

/** One frame of a session, whole or the part `opts` asks for; undefined when a blob of it is gone. */
async function readFrameRef(
  ctx: EngineContext,
  id: string,
  frame: FrameRef,
  opts: ReadOptions | undefined,
): Promise<Table | undefined> {
  if (frame.manifest !== undefined) {
    const chunked = { frameId: frame.frameId, rows: frame.rows, manifest: frame.manifest };
    return readChunkedFrame(ctx.store, ctx.chunks, id, chunked, opts);
  }
  const whole = await ctx.store.readFrame(id, frame.frameId);
  return whole === undefined || opts === undefined ? whole : sliceTable(whole, opts);
}

/**
 * Reads a frame of the record the caller saw. A writer may have dropped that frame meanwhile (it fell off the
 * history), so on a missing blob the record is read again and `pick` applied again; a blob missing while
 * the record still names its frame is corruption.
 */
export async function readLiveFrame(
  ctx: EngineContext,
  id: string,
  pick: (record: SessionRecord) => FrameRef,
  slide = true,
  opts?: ReadOptions,
): Promise<Table> {
  let loaded = await open(ctx, id, slide);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const frame = pick(loaded.record);
    const table = await readFrameRef(ctx, id, frame, opts);
    if (table !== undefined) return table;
    loaded = await open(ctx, id, false);
    if (namesFrame(loaded.record, frame.frameId) && pick(loaded.record).frameId === frame.frameId) {
      throw corruptData(`session ${id}: frame ${frame.frameId} is missing`);
    }
  }
  throw new StorageError('BACKEND_UNAVAILABLE', `session ${id} kept changing while being read`);
}
