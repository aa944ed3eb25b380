import { decodeFrame } from '../codec/frame-codec.js';
import { corruptData } from '../contract/errors.js';
import type {
  AuditEntry,
  BackendType,
  SessionSnapshot,
  SnapshotVersion,
} from '../contract/storage-backend.js';
import { blobsOf, currentFrameOf, snapshotFrames } from '../session/chunks/manifest.js';
import { commonAuditPrefix } from './snapshot-compare.js';

export interface MergeOptions {
  /** Which store `other` came from; named in the version label and the audit entry. */
  otherSource: BackendType;
  /** History cap of the target (MAX_VERSIONS): the oldest entries of `kept` make room first. */
  maxVersions: number;
  now?: Date;
}

/**
 * A session changed on both sides (e.g. served from the local store during a Redis outage while the
 * Redis copy also moved on). Neither side may be lost silently, so: `kept` stays current with its
 * history, redo, marks and metadata; `other`'s current frame is attached as the newest history
 * version (operation `conflict`, so one undo brings it back); and a `conflict` audit entry records
 * what `other` had that `kept` does not (its audit entries since the two diverged, marks, metadata).
 */
export function mergeConflict(
  kept: SessionSnapshot,
  other: SessionSnapshot,
  opts: MergeOptions,
): SessionSnapshot {
  const now = (opts.now ?? new Date()).toISOString();
  const otherManifest = other.currentManifest;
  const otherBlobs = blobsOf(currentFrameOf(other));
  const otherFrames: Record<string, Uint8Array> = {};
  for (const blob of otherBlobs) {
    const bytes = other.frames[blob];
    if (bytes === undefined) throw corruptData(`session ${other.sessionId} has no current frame`);
    otherFrames[blob] = bytes;
  }
  // Only the shape is needed for VersionInfo; the checksum was verified before we got here.
  const table =
    otherManifest !== undefined
      ? { numRows: otherManifest.rows, numCols: otherManifest.columns.length }
      : decodeFrame(otherFrames[other.currentFrameId] as Uint8Array, {
          maxFrameBytes: Number.MAX_SAFE_INTEGER,
        });
  const otherBytes = Object.values(otherFrames).reduce((sum, bytes) => sum + bytes.byteLength, 0);

  const top = Math.max(kept.version, ...[...kept.history, ...kept.redo].map((entry) => entry.info.version));
  const attachedVersion = top + 1;
  const frameId = freshFrameId(kept.frames);
  const label = `conflict: ${opts.otherSource} copy at version ${other.version} (updated ${other.updatedAt})`;
  const attached: SnapshotVersion = {
    frameId,
    ...(otherManifest !== undefined ? { manifest: otherManifest } : {}),
    info: {
      version: attachedVersion,
      label,
      operation: 'conflict',
      createdAt: now,
      rows: table.numRows,
      columns: table.numCols,
      bytes: otherBytes,
    },
  };

  let history = [...kept.history, attached];
  const dropped = history.slice(0, Math.max(0, history.length - opts.maxVersions));
  history = history.slice(dropped.length);
  // Chunks are named by their bytes, so one both copies hold is the same blob.
  const frames: Record<string, Uint8Array> = {
    ...kept.frames,
    ...(otherManifest !== undefined
      ? otherFrames
      : { [frameId]: otherFrames[other.currentFrameId] as Uint8Array }),
  };
  const stillUsed = new Set(snapshotFrames({ ...kept, history }).flatMap((frame) => blobsOf(frame)));
  for (const entry of dropped)
    for (const blob of blobsOf(entry)) if (!stillUsed.has(blob)) delete frames[blob];

  const shared = commonAuditPrefix(kept.audit, other.audit);
  const lastSeq = kept.audit.at(-1)?.seq ?? 0;
  const conflictEntry: AuditEntry = {
    seq: lastSeq + 1,
    at: now,
    operation: 'conflict',
    details: {
      source: opts.otherSource,
      resolution: `kept the current copy; attached the ${opts.otherSource} copy as version ${attachedVersion}`,
      attachedVersion,
      keptVersion: kept.version,
      otherVersion: other.version,
      otherUpdatedAt: other.updatedAt,
      otherRows: table.numRows,
      otherColumns: table.numCols,
      otherAuditSinceDivergence: other.audit.slice(shared),
      otherMarks: other.marks,
      otherMetadata: other.metadata,
      droppedVersions: dropped.map((entry) => entry.info.version),
    },
  };

  return {
    ...kept,
    version: attachedVersion + 1,
    updatedAt: now,
    expiresAt: Date.parse(other.expiresAt) > Date.parse(kept.expiresAt) ? other.expiresAt : kept.expiresAt,
    history,
    frames,
    audit: [...kept.audit, conflictEntry],
  };
}

function freshFrameId(frames: Record<string, Uint8Array>): string {
  for (let n = 1; ; n++) {
    const id = `conflict-${n}`;
    if (!(id in frames)) return id;
  }
}
