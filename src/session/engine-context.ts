import { randomBytes } from 'node:crypto';
import type { Table } from 'apache-arrow';
import type { FrameCodec } from '../codec/frame-codec.js';
import { corruptData, StorageError, sessionNotFound } from '../contract/errors.js';
import type { SessionInfo } from '../contract/storage-backend.js';
import type { LoadedSession, SessionRecord, SessionStore, UploadStore } from './store.js';
import { referencedFrames } from './store.js';

/** What every engine operation works with: the stores and the settings that shape the semantics. */
export interface EngineContext {
  store: SessionStore;
  uploads: UploadStore;
  codec: FrameCodec;
  maxVersions: number;
  sessionTtlSeconds: number;
}

/** A fresh frame id (never reused, so a cached table keyed by it can never be stale). */
export const newFrameId = (): string => randomBytes(12).toString('base64url');

/** Public view of a session. */
export function toSessionInfo(record: SessionRecord, expiresAtMs: number): SessionInfo {
  return {
    sessionId: record.sessionId,
    ...(record.filename !== undefined ? { filename: record.filename } : {}),
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

/**
 * Reads a frame of the record the caller saw. A writer may have dropped that frame meanwhile (it fell off the
 * history), so on a missing frame the record is read again and `pick` applied again; a frame missing while
 * the record still names it is corruption.
 */
export async function readLiveFrame(
  ctx: EngineContext,
  id: string,
  pick: (record: SessionRecord) => string,
  slide = true,
): Promise<Table> {
  let loaded = await open(ctx, id, slide);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const frameId = pick(loaded.record);
    const table = await ctx.store.readFrame(id, frameId);
    if (table !== undefined) return table;
    loaded = await open(ctx, id, false);
    if (referencedFrames(loaded.record).has(frameId) && pick(loaded.record) === frameId) {
      throw corruptData(`session ${id}: frame ${frameId} is missing`);
    }
  }
  throw new StorageError('BACKEND_UNAVAILABLE', `session ${id} kept changing while being read`);
}
