import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeFrame, encodeFrame, readFrameHeader, verifyFrame } from '../codec/frame-codec.js';
import { corruptData, isStorageError, StorageError } from '../contract/errors.js';
import type {
  BackendType,
  SessionInfo,
  SessionSnapshot,
  SnapshotVersion,
  StorageBackend,
} from '../contract/storage-backend.js';
import { chunkIdOf } from '../session/chunks/chunk-writer.js';
import { blobsOf, type FrameManifest, isChunkId, snapshotFrames } from '../session/chunks/manifest.js';
import { BUNDLE_KIND, BUNDLE_VERSION, type BundleFrame, bundleManifestSchema } from './bundle-manifest.js';

/**
 * A portable single-file session (docs/operations.md, "Session bundles"). Byte layout, little-endian:
 *   0   8  magic "FSBUNDLE"
 *   8   4  bundle format version (1)
 *  12   4  manifest length n
 *  16   4  CRC-32 of the manifest bytes
 *  20   n  manifest: UTF-8 JSON (bundle-manifest.ts): the session without its frames, plus a frame table
 * 20+n  …  the frames back to back, each a §7 stored frame (header + Arrow IPC payload) at its table offset
 * Every frame carries its own header and payload checksum, and the table repeats a CRC-32 of its whole bytes,
 * so any damage is CORRUPT_DATA on import, never a wrong table.
 */
const MAGIC = Buffer.from('FSBUNDLE', 'latin1');
const PREAMBLE_BYTES = 20;

/** Frames stored as JSON are rewritten as Arrow IPC (same codec) so the bundle is Arrow-only. */
function asArrowFrame(bytes: Uint8Array): Uint8Array {
  const header = readFrameHeader(bytes);
  if (header.serialization === 'arrow') return bytes;
  const table = decodeFrame(bytes, { maxFrameBytes: Number.MAX_SAFE_INTEGER });
  return encodeFrame(table, {
    serialization: 'arrow',
    compression: header.compression,
    maxFrameBytes: Number.MAX_SAFE_INTEGER,
  });
}

function renameChunks<S extends Omit<SessionSnapshot, 'frames'>>(
  session: S,
  renamed: Map<string, string>,
): S {
  const rename = (manifest: FrameManifest | undefined): FrameManifest | undefined =>
    manifest === undefined
      ? undefined
      : {
          ...manifest,
          columns: manifest.columns.map((c) => ({
            ...c,
            chunks: c.chunks.map((id) => renamed.get(id) ?? id),
          })),
        };
  const entry = (e: SnapshotVersion): SnapshotVersion => {
    const manifest = rename(e.manifest);
    return { ...e, ...(manifest !== undefined ? { manifest } : {}) };
  };
  const currentManifest = rename(session.currentManifest);
  return {
    ...session,
    ...(currentManifest !== undefined ? { currentManifest } : {}),
    history: session.history.map(entry),
    redo: session.redo.map(entry),
  };
}

/** Snapshot -> bundle bytes. Verifies every frame first, so a damaged session is not exported as if whole. */
export function encodeBundle(snapshot: SessionSnapshot, opts: { exportedFrom?: BackendType } = {}): Buffer {
  const { frames, ...original } = snapshot;
  const table: BundleFrame[] = [];
  const chunks: Uint8Array[] = [];
  // A chunk is named by its bytes: one rewritten as Arrow gets the id of its new bytes, in every manifest.
  const renamed = new Map<string, string>();
  let offset = 0;
  for (const [oldId, stored] of Object.entries(frames)) {
    verifyFrame(stored);
    const bytes = asArrowFrame(stored);
    const header = readFrameHeader(bytes);
    const id = bytes !== stored && isChunkId(oldId) ? chunkIdOf(bytes) : oldId;
    if (id !== oldId) renamed.set(oldId, id);
    table.push({
      id,
      offset,
      length: bytes.byteLength,
      crc32: crc32(bytes),
      serialization: 'arrow',
      compression: header.compression,
    });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const session = renamed.size === 0 ? original : renameChunks(original, renamed);
  const manifest = Buffer.from(
    JSON.stringify({
      kind: BUNDLE_KIND,
      bundleVersion: BUNDLE_VERSION,
      exportedAt: new Date().toISOString(),
      ...(opts.exportedFrom ? { exportedFrom: opts.exportedFrom } : {}),
      session,
      frames: table,
    }),
    'utf8',
  );
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(preamble, 0);
  preamble.writeUInt32LE(BUNDLE_VERSION, 8);
  preamble.writeUInt32LE(manifest.length, 12);
  preamble.writeUInt32LE(crc32(manifest), 16);
  return Buffer.concat([preamble, manifest, ...chunks]);
}

/** Bundle bytes -> snapshot, checking magic, manifest checksum and shape, and every frame. CORRUPT_DATA otherwise. */
export function decodeBundle(bytes: Uint8Array): SessionSnapshot {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PREAMBLE_BYTES || !buf.subarray(0, 8).equals(MAGIC)) {
    throw corruptData('not a framestore session bundle (bad magic)');
  }
  const version = buf.readUInt32LE(8);
  if (version !== BUNDLE_VERSION) {
    throw corruptData(`unsupported bundle version ${version} (this build reads version ${BUNDLE_VERSION})`);
  }
  const manifestLength = buf.readUInt32LE(12);
  const frameStart = PREAMBLE_BYTES + manifestLength;
  if (frameStart > buf.length) throw corruptData('bundle is truncated inside its manifest');
  const manifestBytes = buf.subarray(PREAMBLE_BYTES, frameStart);
  if (crc32(manifestBytes) !== buf.readUInt32LE(16)) throw corruptData('bundle manifest checksum mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestBytes.toString('utf8'));
  } catch (error) {
    throw corruptData('bundle manifest is not valid JSON', error);
  }
  const manifest = bundleManifestSchema.safeParse(parsed);
  if (!manifest.success)
    throw corruptData(`bundle manifest is malformed: ${manifest.error.issues[0]?.message}`);

  const frames: Record<string, Uint8Array> = {};
  let expectedOffset = 0;
  for (const entry of manifest.data.frames) {
    if (entry.offset !== expectedOffset || frameStart + entry.offset + entry.length > buf.length) {
      throw corruptData(`bundle frame ${entry.id} lies outside the file (truncated?)`);
    }
    const frame = buf.subarray(frameStart + entry.offset, frameStart + entry.offset + entry.length);
    if (crc32(frame) !== entry.crc32) throw corruptData(`bundle frame ${entry.id} checksum mismatch`);
    verifyFrame(frame);
    // Own copy: the snapshot outlives the file buffer, and backends may keep what they are given.
    frames[entry.id] = Uint8Array.prototype.slice.call(frame);
    expectedOffset += entry.length;
  }
  if (frameStart + expectedOffset !== buf.length)
    throw corruptData('bundle has trailing bytes after its frames');

  const session = manifest.data.session;
  const referenced = snapshotFrames(session).flatMap((frame) => blobsOf(frame));
  for (const frameId of referenced) {
    if (frames[frameId] === undefined)
      throw corruptData(`bundle references frame ${frameId}, which it lacks`);
  }
  return { ...session, frames } as SessionSnapshot;
}

/** Writes a session's bundle to `file` (temp file, fsync, rename: never a half-written bundle). */
export async function exportSessionToFile(
  backend: StorageBackend,
  sessionId: string,
  file: string,
): Promise<{ bytes: number; frames: number; snapshot: SessionSnapshot }> {
  const snapshot = await backend.exportSession(sessionId);
  const bundle = encodeBundle(snapshot, { exportedFrom: backend.backendType });
  const target = path.resolve(file);
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bundle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw new StorageError('INVALID_INPUT', `cannot write bundle ${target}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { bytes: bundle.length, frames: Object.keys(snapshot.frames).length, snapshot };
}

/** Reads and verifies a bundle file. INVALID_INPUT when unreadable, CORRUPT_DATA when damaged. */
export async function readBundleFile(file: string): Promise<SessionSnapshot> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new StorageError('INVALID_INPUT', `cannot read bundle ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return decodeBundle(bytes);
}

/**
 * Imports a bundle file into a backend (STALE_WRITE when the session exists and !overwrite). A bundle may be
 * opened days after export (a bug report), so the session gets a fresh TTL of its own ttlSeconds.
 */
export async function importSessionFromFile(
  backend: StorageBackend,
  file: string,
  opts: { overwrite?: boolean } = {},
): Promise<SessionInfo> {
  const read = await readBundleFile(file);
  const snapshot = { ...read, expiresAt: new Date(Date.now() + read.ttlSeconds * 1000).toISOString() };
  try {
    return await backend.importSession(snapshot, { overwrite: opts.overwrite === true });
  } catch (error) {
    if (isStorageError(error, 'STALE_WRITE') && opts.overwrite !== true) {
      throw new StorageError(
        'STALE_WRITE',
        `session ${snapshot.sessionId} already exists in ${backend.backendType}; use --overwrite to replace it`,
        { cause: error },
      );
    }
    throw error;
  }
}
