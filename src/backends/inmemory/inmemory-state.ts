import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { corruptData } from '../../contract/errors.js';
import { type FrameManifest, manifestSchema } from '../../session/chunks/manifest.js';
import { versionInfoSchema } from '../../session/snapshot-schema.js';
import type { SessionRecord, StoredVersion } from '../../session/store.js';

/**
 * The small JSON file that is the single commit point of a session (state.json). Format 2 keeps each chunked
 * frame's manifest in a side file of its own (`manifest-<frameId>.json`, written once with the frame, deleted
 * with it) and marks the entry `"m": 1`: a state naming six 100k × 50 frames is 2 KB instead of 88 KB, and
 * every commit rewrites, fsyncs and reads back that file. Format 1 (manifests inline) is still read.
 */

const count = z.number().int().nonnegative();
const fileId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * A manifest is checked on its own (validManifest), memoised by its JSON text: a state with several chunked
 * frames names hundreds of chunk ids, and checking them all with zod on every load cost more than the rest
 * of a small operation. Accepted as is here, checked right after.
 */
const uncheckedManifest = z.custom<FrameManifest>(() => true);

const storedVersionSchema = z.object({
  info: versionInfoSchema,
  frameId: fileId,
  manifest: uncheckedManifest.optional(),
  m: z.literal(1).optional(),
});

const frameRefSchema = z.object({
  frameId: fileId,
  rows: count,
  columns: count,
  bytes: count,
  manifest: uncheckedManifest.optional(),
  m: z.literal(1).optional(),
});

const checkedManifests = new LRUCache<string, FrameManifest>({ max: 1024 });

export function validManifest(raw: unknown, sessionId: string): FrameManifest {
  const text = JSON.stringify(raw);
  const known = checkedManifests.get(text);
  if (known !== undefined) return known;
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    throw corruptData(
      `session ${sessionId}: state file has a malformed frame manifest (${parsed.error.issues[0]?.message ?? ''})`,
    );
  checkedManifests.set(text, parsed.data);
  return parsed.data;
}

const stateSchema = z.object({
  format: z.union([z.literal(1), z.literal(2)]),
  sessionId: z.string(),
  filename: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  ttlSeconds: z.number().int().positive(),
  version: z.number().int().positive(),
  rev: z.string().min(1),
  current: frameRefSchema,
  history: z.array(storedVersionSchema),
  redo: z.array(storedVersionSchema),
  metadata: z.record(z.string(), z.unknown()),
  audit: z.object({
    file: z.string().regex(/^audit-[A-Za-z0-9_-]{1,64}\.jsonl$/),
    bytes: count,
    count,
    lastSeq: count,
    initialRows: count,
    lastUser: z.string().optional(),
  }),
  marks: z.object({
    file: z
      .string()
      .regex(/^marks-[A-Za-z0-9_-]{1,64}\.json$/)
      .nullable(),
    count,
  }),
});

export type SessionState = z.infer<typeof stateSchema>;

/** The side file of a frame's manifest (format 2). */
export const manifestFile = (frameId: string): string => `manifest-${frameId}.json`;

/**
 * state.json bytes -> SessionState; anything malformed (or another session's state) is CORRUPT_DATA.
 * `readManifest` gives the manifest of a format-2 entry (from its side file).
 */
export function parseState(
  bytes: Buffer,
  sessionId: string,
  readManifest: (frameId: string) => FrameManifest,
): SessionState {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw corruptData(`session ${sessionId}: state file is not valid JSON`, error);
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    throw corruptData(
      `session ${sessionId}: state file is malformed (${parsed.error.issues[0]?.message ?? ''})`,
    );
  }
  if (parsed.data.sessionId !== sessionId)
    throw corruptData(`session ${sessionId}: state file names another session`);
  for (const frame of [parsed.data.current, ...parsed.data.history, ...parsed.data.redo]) {
    if (frame.m === 1) {
      if (parsed.data.format !== 2) throw corruptData(`session ${sessionId}: state file is malformed`);
      frame.manifest = readManifest(frame.frameId);
      delete frame.m;
    } else if (frame.manifest !== undefined) frame.manifest = validManifest(frame.manifest, sessionId);
  }
  // zod rebuilds records by assignment, which turns a `__proto__` key into a prototype: keep the parsed JSON.
  parsed.data.metadata = (raw as { metadata: Record<string, unknown> }).metadata;
  return parsed.data;
}

/** A frame as state.json holds it: a chunked frame's manifest is in its side file, the entry says so. */
function frameJson(frame: { manifest?: FrameManifest | undefined; m?: 1 | undefined }): string {
  const { manifest, m: _m, ...plain } = frame;
  return JSON.stringify(manifest === undefined ? plain : { ...plain, m: 1 });
}

/** state.json text (format 2: manifests in their side files, see manifestFile). */
export function serializeState(state: SessionState): string {
  const { current, history, redo, ...rest } = state;
  const list = (frames: readonly { manifest?: FrameManifest | undefined }[]) =>
    frames.map(frameJson).join(',');
  return `${JSON.stringify({ ...rest, format: 2 }).slice(0, -1)},"current":${frameJson(current)},"history":[${list(history)}],"redo":[${list(redo)}]}`;
}

/** The frames of a state that have a manifest, by frame id. */
export function manifestsOf(state: SessionState): Map<string, FrameManifest> {
  const out = new Map<string, FrameManifest>();
  for (const frame of [state.current, ...state.history, ...state.redo])
    if (frame.manifest !== undefined) out.set(frame.frameId, frame.manifest);
  return out;
}

const versionOf = (entry: SessionState['history'][number]): StoredVersion => ({
  info: { ...entry.info },
  frameId: entry.frameId,
  ...(entry.manifest !== undefined ? { manifest: entry.manifest } : {}),
});

/** The engine's view of a state: everything but where the audit log and marks live on disk. */
export function toRecord(state: SessionState): SessionRecord {
  return {
    sessionId: state.sessionId,
    ...(state.filename !== undefined ? { filename: state.filename } : {}),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    ttlSeconds: state.ttlSeconds,
    version: state.version,
    current: { ...state.current },
    history: state.history.map(versionOf),
    redo: state.redo.map(versionOf),
    metadata: state.metadata,
    audit: {
      count: state.audit.count,
      lastSeq: state.audit.lastSeq,
      initialRows: state.audit.initialRows,
      ...(state.audit.lastUser !== undefined ? { lastUser: state.audit.lastUser } : {}),
    },
    marks: { count: state.marks.count },
  };
}

/** A record as the state to commit, with where its audit log and marks live and a new revision. */
export function fromRecord(
  record: SessionRecord,
  rev: string,
  audit: { file: string; bytes: number },
  marksFile: string | null,
): SessionState {
  return {
    format: 2,
    sessionId: record.sessionId,
    ...(record.filename !== undefined ? { filename: record.filename } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ttlSeconds: record.ttlSeconds,
    version: record.version,
    rev,
    current: record.current,
    history: record.history,
    redo: record.redo,
    metadata: record.metadata,
    audit: { ...record.audit, ...audit },
    marks: { file: marksFile, count: record.marks.count },
  };
}

/** Every side file the state points at (audit log, marks, and in format 2 the frame manifests). */
export function referencedBlobs(state: SessionState): Set<string> {
  const names = new Set<string>([state.audit.file]);
  if (state.marks.file !== null) names.add(state.marks.file);
  if (state.format === 2) for (const frameId of manifestsOf(state).keys()) names.add(manifestFile(frameId));
  return names;
}

/** The revision in state.json bytes without validating the rest ('unreadable' when it cannot be read). */
export function revOf(bytes: Buffer): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { rev?: unknown };
    return typeof parsed.rev === 'string' ? parsed.rev : 'unreadable';
  } catch {
    return 'unreadable';
  }
}
