import type { FrameCodec } from '../../codec/frame-codec.js';
import { corruptData, invalidInput, StorageError } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';
import type {
  AuditEntry,
  ImportOptions,
  SessionInfo,
  SessionSnapshot,
} from '../../contract/storage-backend.js';
import { checkSessionSnapshot as checkSnapshot } from '../../session/snapshot-schema.js';
import { isPlainObject } from '../../session/validate.js';
import { readAudit, writeAuditEntries } from './inmemory-audit.js';
import { readFileIfExists } from './inmemory-files.js';
import { assertFenced } from './inmemory-lock.js';
import { readMarks } from './inmemory-marks.js';
import type { SessionStore } from './inmemory-sessions.js';
import { referencedFrames, type SessionState, type StoredVersion, toSessionInfo } from './inmemory-state.js';
import { newFileId } from './inmemory-tx.js';

/** A consistent copy of a whole session (under its lock), frames as stored bytes. Does not slide the TTL. */
export async function exportSession(store: SessionStore, id: string): Promise<SessionSnapshot> {
  assertValidId(id);
  return store.locks.run(
    store.layout.lockTarget('session', id),
    async () => {
      const { state, expiresAtMs } = await store.open(id, false);
      const frames: Record<string, Uint8Array> = {};
      for (const frame of referencedFrames(state)) {
        const bytes = await readFileIfExists(store.layout.framePath(id, frame));
        if (bytes === undefined) throw corruptData(`session ${id}: frame file is missing`);
        frames[frame] = bytes;
      }
      return {
        formatVersion: 1,
        sessionId: id,
        ...(state.filename !== undefined ? { filename: state.filename } : {}),
        createdAt: state.createdAt,
        updatedAt: state.updatedAt,
        expiresAt: new Date(expiresAtMs).toISOString(),
        ttlSeconds: state.ttlSeconds,
        version: state.version,
        currentFrameId: state.current.frameId,
        history: state.history.map(copyVersion),
        redo: state.redo.map(copyVersion),
        metadata: structuredClone(state.metadata),
        audit: readAudit(store.layout.blobPath(id, state.audit.file), state.audit, id),
        marks: readMarks(state.marks.file === null ? null : store.layout.blobPath(id, state.marks.file), id),
        frames,
      };
    },
    { leaf: true },
  );
}

const copyVersion = (entry: StoredVersion): StoredVersion => ({
  info: { ...entry.info },
  frameId: entry.frameId,
});

/** Writes a whole session with one commit point, keeping its id, history, redo, audit, marks and remaining TTL. */
export async function importSession(
  store: SessionStore,
  codec: FrameCodec,
  input: SessionSnapshot,
  opts: ImportOptions,
): Promise<SessionInfo> {
  const snapshot = checkSnapshot(input);
  if (!isPlainObject(opts)) throw invalidInput('import options must be an object');
  const id = snapshot.sessionId;
  const currentBytes = snapshot.frames[snapshot.currentFrameId]!;
  const current = codec.decode(currentBytes);
  return store.withNewSession(id, async (ctx, tx) => {
    const existingRev = store.currentRev(id);
    const previous = loadQuietly(store, id);
    const live = previous !== undefined && store.expiresAtMs(id, previous) > Date.now();
    if (live && opts.overwrite !== true) {
      throw new StorageError('STALE_WRITE', `session ${id} already exists; pass overwrite to replace it`);
    }
    assertFenced(ctx, existingRev);
    // Fresh frame ids: a cached table is keyed by session + frame id and must never meet different bytes.
    // Entries may share a frame (createVersion): each snapshot frame is written once.
    const renamed = new Map<string, Promise<string>>();
    const place = (oldId: string): Promise<string> => {
      let fresh = renamed.get(oldId);
      if (fresh === undefined) {
        fresh = tx.writeFrame(snapshot.frames[oldId]!);
        renamed.set(oldId, fresh);
      }
      return fresh;
    };
    const moveEntry = async (entry: StoredVersion): Promise<StoredVersion> => ({
      info: { ...entry.info },
      frameId: await place(entry.frameId),
    });
    const auditFile = `audit-${newFileId()}.jsonl`;
    tx.written.push(store.layout.blobPath(id, auditFile));
    const emptyAudit = { file: auditFile, bytes: 0, count: 0, lastSeq: 0, initialRows: 0 };
    const next: SessionState = {
      format: 1,
      sessionId: id,
      ...(snapshot.filename !== undefined ? { filename: snapshot.filename } : {}),
      createdAt: snapshot.createdAt,
      updatedAt: snapshot.updatedAt,
      ttlSeconds: snapshot.ttlSeconds,
      version: snapshot.version,
      rev: '',
      current: {
        frameId: await place(snapshot.currentFrameId),
        rows: current.numRows,
        columns: current.numCols,
        bytes: currentBytes.byteLength,
      },
      history: await Promise.all(snapshot.history.map(moveEntry)),
      redo: await Promise.all(snapshot.redo.map(moveEntry)),
      metadata: structuredClone(snapshot.metadata),
      audit: writeAuditEntries(
        store.layout.blobPath(id, auditFile),
        emptyAudit,
        snapshot.audit as AuditEntry[],
      ),
      marks: {
        file: tx.writeMarks(snapshot.marks.map((mark) => ({ ...mark }))),
        count: snapshot.marks.length,
      },
    };
    const expiresAtMs = Date.parse(snapshot.expiresAt);
    const touchAtMs = expiresAtMs - snapshot.ttlSeconds * 1000;
    store.commit(ctx, id, previous, next, { tx, touchAtMs, expectedRev: existingRev, keepUpdatedAt: true });
    store.remember(id, next.current.frameId, current);
    if (previous === undefined) await store.syncSessionsDir();
    return toSessionInfo(next, expiresAtMs);
  });
}

function loadQuietly(store: SessionStore, id: string): SessionState | undefined {
  try {
    return store.load(id);
  } catch {
    return undefined; // a corrupt session may be overwritten; its stray files are collected by the sweep
  }
}
