import type { FrameManifest } from '../session/chunks/manifest.js';
import type { AuditEntry, MarkedCell, SheetInfo, VersionInfo } from './storage-backend.js';

/** Whole-session and temp-upload copies (§8), frames as stored bytes. */

/** One history or redo entry of a snapshot: its public info and the frame it points at. */
export interface SnapshotVersion {
  info: VersionInfo;
  frameId: string;
  /** A chunked frame: its chunks are in `frames` under their own ids (docs/chunks.md). */
  manifest?: FrameManifest;
}

/**
 * A whole session, frames as stored bytes (§7 header + payload, any codec), for moving a session
 * between backends or into a bundle file without re-encoding. Frame ids are opaque
 * ([A-Za-z0-9_-]{1,64}) and only meaningful inside one snapshot.
 */
export interface SessionSnapshot {
  formatVersion: 1;
  sessionId: string;
  filename?: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  /** The sliding TTL the session was created with. */
  ttlSeconds: number;
  version: number;
  currentFrameId: string;
  /** The current frame's manifest when it is chunked (then `currentFrameId` names no blob). */
  currentManifest?: FrameManifest;
  /** Oldest first; the last entry is what undo restores. */
  history: SnapshotVersion[];
  /** The last entry is what redo restores. */
  redo: SnapshotVersion[];
  metadata: Record<string, unknown>;
  audit: AuditEntry[];
  marks: MarkedCell[];
  /** Stored bytes by blob id: whole frames, and the chunks of chunked frames (each once). */
  frames: Record<string, Uint8Array>;
}

export interface TempUploadSnapshot {
  formatVersion: 1;
  uploadId: string;
  filename?: string;
  createdAt: string;
  expiresAt: string;
  ttlSeconds: number;
  sheets: { info: SheetInfo; frame: Uint8Array }[];
}

export interface ImportOptions {
  /** Replace an existing session/upload with the same id (default: refuse with STALE_WRITE). */
  overwrite?: boolean;
}
