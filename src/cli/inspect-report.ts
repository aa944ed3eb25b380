import { decodeFrame, verifyFrame } from '../codec/frame-codec.js';
import { isStorageError } from '../contract/errors.js';
import type { SessionSnapshot, SnapshotVersion } from '../contract/storage-backend.js';

/** One stored frame as inspect shows it. */
export interface FrameReport {
  frameId: string;
  bytes: number;
  codec?: string;
  serialization?: string;
  uncompressedBytes?: number;
  /** `ok`, or why the frame failed verification (CORRUPT_DATA). */
  integrity: string;
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

function frameReport(snapshot: SessionSnapshot, frameId: string): FrameReport {
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
  ...frameReport(snapshot, entry.frameId),
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
  const current: SessionReport['current'] = frameReport(snapshot, snapshot.currentFrameId);
  const currentBytes = snapshot.frames[snapshot.currentFrameId];
  if (current.integrity === 'ok' && currentBytes !== undefined) {
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
