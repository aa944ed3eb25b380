import { decodeFrame, verifyFrame } from '../codec/frame-codec.js';
import { isStorageError } from '../contract/errors.js';
import type { SessionSnapshot, SnapshotVersion } from '../contract/storage-backend.js';
import { blobsOf, type FrameOf, snapshotFrames } from '../session/chunks/manifest.js';

/** One stored frame as inspect shows it. */
export interface FrameReport {
  frameId: string;
  bytes: number;
  codec?: string;
  serialization?: string;
  uncompressedBytes?: number;
  /** `ok`, or why the frame failed verification (CORRUPT_DATA). */
  integrity: string;
  /** A chunked frame (docs/chunks.md): its chunk count, and how many of them (and their bytes) other frames of the session share. */
  chunks?: number;
  sharedChunks?: number;
  sharedBytes?: number;
}

export interface VersionReport extends FrameReport {
  version: number;
  label?: string;
  operation?: string;
  createdAt: string;
  rows: number;
  columns: number;
}

export interface SessionReport {
  sessionId: string;
  filename?: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  ttlSeconds: number;
  remainingSeconds: number;
  version: number;
  current: FrameReport & { rows?: number; columns?: number };
  history: VersionReport[];
  redo: VersionReport[];
  metadataKeys: string[];
  auditEntries: number;
  marks: number;
  totalFrameBytes: number;
}

/** How many frames of the snapshot name each blob. */
function blobUse(snapshot: SessionSnapshot): Map<string, number> {
  const use = new Map<string, number>();
  for (const frame of snapshotFrames(snapshot))
    for (const blob of new Set(blobsOf(frame))) use.set(blob, (use.get(blob) ?? 0) + 1);
  return use;
}

function frameReport(snapshot: SessionSnapshot, frame: FrameOf): FrameReport {
  if (frame.manifest === undefined) return blobReport(snapshot, frame.frameId);
  const use = blobUse(snapshot);
  const blobs = [...new Set(blobsOf(frame))];
  const parts = blobs.map((blob) => blobReport(snapshot, blob));
  const bad = parts.find((part) => part.integrity !== 'ok');
  const shared = blobs.filter((blob) => (use.get(blob) ?? 0) > 1);
  return {
    frameId: frame.frameId,
    bytes: parts.reduce((sum, part) => sum + part.bytes, 0),
    ...(parts[0]?.codec !== undefined ? { codec: parts[0].codec } : {}),
    ...(parts[0]?.serialization !== undefined ? { serialization: parts[0].serialization } : {}),
    uncompressedBytes: parts.reduce((sum, part) => sum + (part.uncompressedBytes ?? 0), 0),
    integrity: bad === undefined ? 'ok' : `chunk ${bad.frameId}: ${bad.integrity}`,
    chunks: blobs.length,
    sharedChunks: shared.length,
    sharedBytes: shared.reduce((sum, blob) => sum + (snapshot.frames[blob]?.byteLength ?? 0), 0),
  };
}

function blobReport(snapshot: SessionSnapshot, frameId: string): FrameReport {
  const bytes = snapshot.frames[frameId];
  if (bytes === undefined) return { frameId, bytes: 0, integrity: 'missing from the snapshot' };
  try {
    const header = verifyFrame(bytes);
    return {
      frameId,
      bytes: bytes.byteLength,
      codec: header.compression,
      serialization: header.serialization,
      uncompressedBytes: header.uncompressedLength,
      integrity: 'ok',
    };
  } catch (error) {
    if (!isStorageError(error)) throw error;
    return { frameId, bytes: bytes.byteLength, integrity: `${error.code}: ${error.message}` };
  }
}

const versionReport = (snapshot: SessionSnapshot, entry: SnapshotVersion): VersionReport => ({
  ...frameReport(snapshot, entry),
  version: entry.info.version,
  ...(entry.info.label !== undefined ? { label: entry.info.label } : {}),
  ...(entry.info.operation !== undefined ? { operation: entry.info.operation } : {}),
  createdAt: entry.info.createdAt,
  rows: entry.info.rows,
  columns: entry.info.columns,
});

/** Summarises an exported session; every frame's checksum is verified, the current one decoded for its shape. */
export function buildSessionReport(
  snapshot: SessionSnapshot,
  maxFrameBytes: number,
  now = Date.now(),
): SessionReport {
  const [currentFrame] = snapshotFrames(snapshot) as [FrameOf];
  const current: SessionReport['current'] = frameReport(snapshot, currentFrame);
  const currentBytes = snapshot.frames[snapshot.currentFrameId];
  if (currentFrame.manifest !== undefined) {
    current.rows = currentFrame.manifest.rows;
    current.columns = currentFrame.manifest.columns.length;
  } else if (current.integrity === 'ok' && currentBytes !== undefined) {
    try {
      const table = decodeFrame(currentBytes, { maxFrameBytes });
      current.rows = table.numRows;
      current.columns = table.numCols;
    } catch (error) {
      // Over MAX_DATAFRAME_SIZE_MB for this process: report the sizes, leave the shape unknown.
      if (!isStorageError(error)) throw error;
    }
  }
  return {
    sessionId: snapshot.sessionId,
    ...(snapshot.filename !== undefined ? { filename: snapshot.filename } : {}),
    createdAt: snapshot.createdAt,
    updatedAt: snapshot.updatedAt,
    expiresAt: snapshot.expiresAt,
    ttlSeconds: snapshot.ttlSeconds,
    remainingSeconds: Math.max(0, Math.round((Date.parse(snapshot.expiresAt) - now) / 1000)),
    version: snapshot.version,
    current,
    history: snapshot.history.map((entry) => versionReport(snapshot, entry)),
    redo: snapshot.redo.map((entry) => versionReport(snapshot, entry)),
    metadataKeys: Object.keys(snapshot.metadata),
    auditEntries: snapshot.audit.length,
    marks: snapshot.marks.length,
    totalFrameBytes: Object.values(snapshot.frames).reduce((sum, frame) => sum + frame.byteLength, 0),
  };
}
