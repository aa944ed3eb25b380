import { z } from 'zod';
import { verifyFrame } from '../codec/frame-codec.js';
import { invalidInput } from '../contract/errors.js';
import { assertValidId } from '../contract/ids.js';
import type { SessionSnapshot, TempUploadSnapshot } from '../contract/storage-backend.js';
import { chunkIdOf } from './chunks/chunk-writer.js';
import { blobsOf, isChunkId, manifestSchema, snapshotFrames } from './chunks/manifest.js';
import { assertFilename, assertSheetName, assertWellFormedStrings, isPlainObject } from './validate.js';

/**
 * One schema for session and temp-upload snapshots (export/import/migrate/bundles), checked the same way on
 * every backend.
 */

const count = z.number().int().nonnegative();
/** A history or redo entry's public info (snapshots and the embedded store's state file). */
export const versionInfoSchema = z.object({
  version: z.number().int().positive(),
  label: z.string().optional(),
  operation: z.string().optional(),
  user: z.string().optional(),
  createdAt: z.string(),
  rows: count,
  columns: count,
  bytes: count,
});
const frameId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO-8601 date');
const snapshotVersion = z.object({ info: versionInfoSchema, frameId, manifest: manifestSchema.optional() });

/** What session and upload snapshots share: format, file name, times and TTL. */
const snapshotHead = {
  formatVersion: z.literal(1),
  filename: z.string().optional(),
  createdAt: isoDate,
  expiresAt: isoDate,
  ttlSeconds: z.number().int().positive(),
};

/** The parsed value, or INVALID_INPUT naming the first problem. */
function parseSnapshot<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidInput(`malformed ${what} snapshot: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
}

const snapshotSchema = z.object({
  ...snapshotHead,
  sessionId: z.string(),
  updatedAt: isoDate,
  version: z.number().int().positive(),
  currentFrameId: frameId,
  currentManifest: manifestSchema.optional(),
  history: z.array(snapshotVersion),
  redo: z.array(snapshotVersion),
  metadata: z.record(z.string(), z.unknown()),
  audit: z.array(
    z.object({
      seq: z.number().int().positive(),
      at: z.string(),
      operation: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
      user: z.string().optional(),
      rowsBefore: count.optional(),
      rowsAfter: count.optional(),
    }),
  ),
  marks: z.array(
    z.object({ row: count, column: z.string().min(1), reason: z.string().optional(), markedAt: z.string() }),
  ),
  frames: z.record(frameId, z.instanceof(Uint8Array)),
});

/** Checks shape, ids, references and every frame's checksum before anything is written. */
export function checkSessionSnapshot(snapshot: unknown): SessionSnapshot {
  if (!isPlainObject(snapshot)) throw invalidInput('snapshot must be an object');
  assertValidId(snapshot.sessionId);
  const data = parseSnapshot(snapshotSchema, snapshot, 'session');
  // zod rebuilds records by assignment (a `__proto__` key would become a prototype): keep the caller's metadata.
  const value = {
    ...data,
    metadata: (snapshot as { metadata: Record<string, unknown> }).metadata,
  } as SessionSnapshot;
  const needed = new Set(snapshotFrames(value).flatMap((frame) => blobsOf(frame)));
  for (const frame of needed) {
    const bytes = value.frames[frame];
    if (bytes === undefined) throw invalidInput(`snapshot references frame ${frame} but does not contain it`);
    verifyFrame(bytes);
    // A chunk is named by its bytes; a snapshot that names one otherwise could pass off other values.
    if (isChunkId(frame) && chunkIdOf(bytes) !== frame) {
      throw invalidInput(`snapshot chunk ${frame} does not hold the bytes its id names`);
    }
  }
  const { frames: _bytes, ...fields } = value;
  assertWellFormedStrings(fields, 'the snapshot');
  const cells = new Set<string>();
  for (const mark of value.marks) {
    const cell = JSON.stringify([mark.row, mark.column]);
    if (cells.has(cell)) throw invalidInput(`snapshot marks cell ${cell} twice`);
    cells.add(cell);
  }
  let lastSeq = 0;
  for (const entry of value.audit) {
    if (entry.seq <= lastSeq) throw invalidInput('snapshot audit seq numbers must increase');
    lastSeq = entry.seq;
  }
  return value;
}

const uploadSnapshotSchema = z.object({
  ...snapshotHead,
  uploadId: z.string(),
  sheets: z
    .array(
      z.object({
        info: z.object({ name: z.string(), rows: count, columns: count, bytes: count }),
        frame: z.instanceof(Uint8Array),
      }),
    )
    .min(1),
});

/** Checks shape, id, sheet names (well formed, distinct) and every frame's checksum before anything is written. */
export function checkUploadSnapshot(snapshot: unknown): TempUploadSnapshot {
  if (!isPlainObject(snapshot)) throw invalidInput('upload snapshot must be an object');
  assertValidId(snapshot.uploadId, 'upload');
  const data = parseSnapshot(uploadSnapshotSchema, snapshot, 'upload');
  assertFilename(data.filename);
  assertWellFormedStrings({ filename: data.filename, sheets: data.sheets }, 'the upload snapshot');
  const names = new Set<string>();
  for (const sheet of data.sheets) {
    assertSheetName(sheet.info.name);
    if (names.has(sheet.info.name))
      throw invalidInput(`duplicate sheet name ${JSON.stringify(sheet.info.name)}`);
    names.add(sheet.info.name);
    verifyFrame(sheet.frame);
  }
  return data as TempUploadSnapshot;
}
