import { randomId } from '../../contract/ids.js';
import type { AuditEntry, MarkedCell } from '../../contract/storage-backend.js';
import { isChunkId } from '../../session/chunks/manifest.js';
import { droppedFrames, framesToWrite, type SessionChange } from '../../session/store.js';
import {
  appendAtSync,
  commitFileSync,
  fsyncDirSync,
  linkImmutable,
  removeFileQuietSync,
  touchSync,
  writeImmutable,
  writeImmutableSync,
  writeReplacing,
} from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';
import { assertFenced, type LockContext } from './inmemory-lock.js';
import type { DiskManifests } from './inmemory-manifests.js';
import {
  fromRecord,
  referencedBlobs,
  type SessionState,
  serializeState,
  toRecord,
} from './inmemory-state.js';

/** A fresh id for a side file or revision (never reused). */
export const newFileId = (): string => randomId(12);

export interface DiskCommit {
  lock: LockContext;
  id: string;
  /** The state the change was computed from (undefined: a new session, or one being replaced unreadable). */
  previous: SessionState | undefined;
  /** The revision the session must still have (the lock makes this a check against lost locks). */
  expectedRev: string;
  /** A whole new session (create, import): fresh audit and marks files instead of appending. */
  fresh: boolean;
  change: SessionChange;
  currentRev: () => string;
  /**
   * Called once the new state.json is in place, with the frames the commit deleted (for the cache) and the
   * bytes it wrote (the next load of the same bytes needs no parse).
   */
  onCommitted: (next: SessionState, dropped: string[], stateBytes: Buffer) => void;
  /** Where chunked frames' manifests are written (side files named by the state). */
  manifests: DiskManifests;
}

/** Frame files written at once by one commit. */
const WRITE_LANES = 32;

/**
 * The single commit point of a session on disk: new frames and side files are made durable first, then
 * state.json is replaced by one rename, then files only the previous state named are deleted. Files written
 * for a commit that did not land are removed again.
 */
export async function commitToDisk(layout: InMemoryLayout, commit: DiskCommit): Promise<SessionState> {
  const { id, previous, change } = commit;
  const written: string[] = [];
  let pendingRev: string | undefined;
  try {
    // Under the session's lock: a chunk already stored (or added and dropped within this change) is skipped,
    // so every file written here is new and may be removed again if the commit does not land.
    const toWrite = framesToWrite(previous && toRecord(previous), change);
    const writeOne = (frame: (typeof toWrite)[number]): Promise<void> => {
      const target = layout.framePath(id, frame.frameId);
      written.push(target);
      const { source } = frame;
      if (source.kind === 'sheet')
        return linkImmutable(layout.sheetPath(source.uploadId, source.sheet.frameId), target);
      return isChunkId(frame.frameId)
        ? writeReplacing(target, source.bytes)
        : writeImmutable(target, source.bytes);
    };
    // In parallel, since each file's fsync waits on the disk, not on the others; but a bounded number at a
    // time: a 10k-column frame is 10k files, and starting them all at once held the event loop.
    const failures: unknown[] = [];
    let queued = 0;
    const lane = async () => {
      while (queued < toWrite.length) {
        const frame = toWrite[queued++]!;
        await writeOne(frame).catch((error: unknown) => void failures.push(error));
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_LANES, toWrite.length) }, lane));
    if (failures.length > 0) throw failures[0];
    if (written.length > 0) fsyncDirSync(layout.framesDir(id));
    const base = commit.fresh || previous === undefined ? undefined : previous;
    const audit = appendAuditFile(layout, id, base, change.audit ?? [], written);
    const marksFile =
      change.marks === undefined && base !== undefined
        ? base.marks.file
        : writeMarksFile(layout, id, change.marks ?? [], written);
    const now = new Date().toISOString();
    const next = fromRecord(change.record, newFileId(), audit, marksFile);
    // A new session keeps the time the engine stamped on it; a change is stamped with its commit time.
    if (!change.keepUpdatedAt && !commit.fresh) next.updatedAt = now;
    commit.manifests.writeNew(id, previous, next, written);
    // Someone committing under our lock means it was taken over (we stalled past its staleness): refuse.
    if (commit.currentRev() !== commit.expectedRev) commit.lock.compromised = true;
    assertFenced(commit.lock, commit.lock.rev);
    pendingRev = next.rev;
    const stateBytes = Buffer.from(serializeState(next), 'utf8');
    commitFileSync(layout.statePath(id), stateBytes);
    commit.lock.rev = next.rev;
    touchSync(layout.touchPath(id), change.touchAtMs ?? Date.parse(next.updatedAt), true);
    const dropped = previous === undefined ? [] : collect(layout, id, previous, next);
    commit.onCommitted(next, dropped, stateBytes);
    return next;
  } catch (error) {
    // A commit whose state.json did land keeps its files (they are live now).
    if (pendingRev === undefined || commit.currentRev() !== pendingRev) {
      for (const file of written) removeFileQuietSync(file);
    }
    throw error;
  }
}

/**
 * The audit log is an append-only JSON-lines file; the state records how many of its bytes are committed.
 * An append writes past the committed length (cutting any tail a crashed writer left) and becomes visible
 * only with the state that counts it.
 */
function appendAuditFile(
  layout: InMemoryLayout,
  id: string,
  base: SessionState | undefined,
  entries: AuditEntry[],
  written: string[],
): { file: string; bytes: number } {
  let file = base?.audit.file;
  let bytes = base?.audit.bytes ?? 0;
  if (file === undefined) {
    file = `audit-${newFileId()}.jsonl`;
    written.push(layout.blobPath(id, file));
  }
  const lines = Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
  if (lines.length > 0) bytes = appendAtSync(layout.blobPath(id, file), bytes, lines);
  return { file, bytes };
}

/** A new immutable marks file (null when there are none). */
function writeMarksFile(
  layout: InMemoryLayout,
  id: string,
  marks: MarkedCell[],
  written: string[],
): string | null {
  if (marks.length === 0) return null;
  const name = `marks-${newFileId()}.json`;
  const file = layout.blobPath(id, name);
  written.push(file);
  writeImmutableSync(file, JSON.stringify(marks));
  return name;
}

/** Deletes what fell out of the state (frames off the history, replaced audit/marks files). */
function collect(layout: InMemoryLayout, id: string, previous: SessionState, next: SessionState): string[] {
  const dropped = droppedFrames(previous, next);
  for (const frameId of dropped) removeFileQuietSync(layout.framePath(id, frameId));
  const blobs = referencedBlobs(next);
  for (const name of referencedBlobs(previous)) {
    if (!blobs.has(name)) removeFileQuietSync(layout.blobPath(id, name));
  }
  return dropped;
}
