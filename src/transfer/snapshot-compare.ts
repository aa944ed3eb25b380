import { verifyFrame } from '../codec/frame-codec.js';
import { corruptData } from '../contract/errors.js';
import type {
  AuditEntry,
  MarkedCell,
  SessionSnapshot,
  SnapshotVersion,
  TempUploadSnapshot,
} from '../contract/storage-backend.js';
import { blobsOf, currentFrameOf, type FrameManifest } from '../session/chunks/manifest.js';

/**
 * Comparing sessions across backends. Frame ids are opaque and differ between stores, so frames are
 * compared by their stored checksum and length; everything else by value.
 */

// A snapshot is compared several times per transfer; its byte arrays are never mutated, so verify each once.
const verifiedKeys = new WeakMap<Uint8Array, string>();

/** A frame's identity across stores: payload CRC-32 and lengths from its §7 header (verified in full). */
export function frameKey(bytes: Uint8Array): string {
  const known = verifiedKeys.get(bytes);
  if (known !== undefined) return known;
  const header = verifyFrame(bytes);
  const key = `${header.checksum.toString(16)}:${header.payloadLength}:${header.uncompressedLength}`;
  verifiedKeys.set(bytes, key);
  return key;
}

function blobOf(snapshot: SessionSnapshot, frameId: string): Uint8Array {
  const bytes = snapshot.frames[frameId];
  if (bytes === undefined) {
    throw corruptData(`session ${snapshot.sessionId} references frame ${frameId}, which is missing`);
  }
  return bytes;
}

/**
 * A frame's identity across stores: a whole frame by its verified header, a chunked one by its manifest
 * (column names and chunk ids, which name the chunks' bytes) with every chunk verified.
 */
function frameKeyOf(snapshot: SessionSnapshot, frame: { frameId: string; manifest?: FrameManifest }): string {
  if (frame.manifest === undefined) return frameKey(blobOf(snapshot, frame.frameId));
  for (const blob of blobsOf(frame)) frameKey(blobOf(snapshot, blob));
  const { rows, chunkRows, columns, metadata } = frame.manifest;
  return `m:${stableJson({ rows, chunkRows, columns: columns.map((c) => [c.name, c.chunks]), metadata })}`;
}

const currentOf = currentFrameOf;

/** Deterministic JSON (sorted keys) so key order never makes two equal values differ. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

const entryKey = (snapshot: SessionSnapshot, entry: SnapshotVersion): string =>
  `${entry.info.version}@${frameKeyOf(snapshot, entry)}`;

const sortedMarks = (marks: MarkedCell[]): string =>
  stableJson(
    [...marks].sort((a, b) => a.row - b.row || (a.column < b.column ? -1 : a.column > b.column ? 1 : 0)),
  );

/** The cheap identity used to skip work: version, every frame checksum in order, audit count, marks, metadata. */
export interface SessionFingerprint {
  version: number;
  current: string;
  history: string[];
  redo: string[];
  auditCount: number;
  lastAuditSeq: number;
  marks: string;
  metadata: string;
}

/** Fingerprint of a snapshot; verifies every frame it references (CORRUPT_DATA when one is damaged). */
export function fingerprint(snapshot: SessionSnapshot): SessionFingerprint {
  return {
    version: snapshot.version,
    current: frameKeyOf(snapshot, currentOf(snapshot)),
    history: snapshot.history.map((entry) => entryKey(snapshot, entry)),
    redo: snapshot.redo.map((entry) => entryKey(snapshot, entry)),
    auditCount: snapshot.audit.length,
    lastAuditSeq: snapshot.audit.at(-1)?.seq ?? 0,
    marks: sortedMarks(snapshot.marks),
    metadata: stableJson(snapshot.metadata),
  };
}

export const sameFingerprint = (a: SessionFingerprint, b: SessionFingerprint): boolean =>
  stableJson(a) === stableJson(b);

/** Expiry is stored at different precisions (ms on disk, Redis PEXPIREAT): allow a little slack. */
const EXPIRY_SLACK_MS = 2000;

/**
 * Everything that must survive a copy, compared field by field. Returns the differing fields
 * (empty when the copy is faithful). `expected` is what was written, `actual` what the target returned.
 */
export function diffSnapshots(expected: SessionSnapshot, actual: SessionSnapshot): string[] {
  const diffs: string[] = [];
  const check = (field: string, a: unknown, b: unknown) => {
    if (stableJson(a) !== stableJson(b)) diffs.push(field);
  };
  check('sessionId', expected.sessionId, actual.sessionId);
  check('filename', expected.filename ?? null, actual.filename ?? null);
  check('createdAt', expected.createdAt, actual.createdAt);
  check('updatedAt', expected.updatedAt, actual.updatedAt);
  check('ttlSeconds', expected.ttlSeconds, actual.ttlSeconds);
  check('version', expected.version, actual.version);
  check('currentFrame', frameKeyOf(expected, currentOf(expected)), frameKeyOf(actual, currentOf(actual)));
  check('history', describeVersions(expected, expected.history), describeVersions(actual, actual.history));
  check('redo', describeVersions(expected, expected.redo), describeVersions(actual, actual.redo));
  check('audit', expected.audit, actual.audit);
  check('marks', sortedMarks(expected.marks), sortedMarks(actual.marks));
  check('metadata', expected.metadata, actual.metadata);
  if (Math.abs(Date.parse(expected.expiresAt) - Date.parse(actual.expiresAt)) > EXPIRY_SLACK_MS) {
    diffs.push('expiresAt');
  }
  return diffs;
}

const describeVersions = (snapshot: SessionSnapshot, entries: SnapshotVersion[]) =>
  entries.map((entry) => ({ ...entry.info, frame: frameKeyOf(snapshot, entry) }));

const sameAuditEntry = (a: AuditEntry, b: AuditEntry): boolean =>
  a.seq === b.seq &&
  a.at === b.at &&
  a.operation === b.operation &&
  stableJson(a.details) === stableJson(b.details);

/** How many leading audit entries two logs share. */
export function commonAuditPrefix(a: AuditEntry[], b: AuditEntry[]): number {
  let n = 0;
  while (n < a.length && n < b.length && sameAuditEntry(a[n]!, b[n]!)) n++;
  return n;
}

/** True when both copies hold the same intentional-missing marks and the same metadata. */
export function sameAnnotations(a: SessionSnapshot, b: SessionSnapshot): boolean {
  return sortedMarks(a.marks) === sortedMarks(b.marks) && stableJson(a.metadata) === stableJson(b.metadata);
}

/**
 * True when `newer` is `older` plus later changes: the audit log is append-only and the version
 * monotonic, so an ancestor's whole log is a prefix of its descendant's and its version is not higher.
 * Marks and metadata change neither version nor audit, so a difference there cannot be ordered: whichever
 * side made it, replacing or deleting `older` could lose it. Ancestry then needs equal marks and metadata.
 * Equal version and log with different content is not ancestry either (e.g. marks changed on both sides).
 */
export function isAncestor(older: SessionSnapshot, newer: SessionSnapshot): boolean {
  if (older.version > newer.version || older.audit.length > newer.audit.length) return false;
  if (commonAuditPrefix(older.audit, newer.audit) !== older.audit.length) return false;
  if (older.version === newer.version && older.audit.length === newer.audit.length) return false;
  return sameAnnotations(older, newer);
}

/** Identity of a temp upload: sheet names, order and frame checksums, plus its filename. */
export function uploadFingerprint(snapshot: TempUploadSnapshot): string {
  return stableJson({
    filename: snapshot.filename ?? null,
    sheets: snapshot.sheets.map((sheet) => ({ ...sheet.info, frame: frameKey(sheet.frame) })),
  });
}

/** Total stored bytes of a session's frames. */
export const snapshotBytes = (snapshot: SessionSnapshot): number =>
  Object.values(snapshot.frames).reduce((sum, bytes) => sum + bytes.byteLength, 0);

/** Total stored bytes of an upload's sheets. */
export const uploadBytes = (snapshot: TempUploadSnapshot): number =>
  snapshot.sheets.reduce((sum, sheet) => sum + sheet.frame.byteLength, 0);
