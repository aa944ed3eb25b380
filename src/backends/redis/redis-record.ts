import { LRUCache } from 'lru-cache';
import { corruptData } from '../../contract/errors.js';
import { type FrameManifest, manifestSchema } from '../../session/chunks/manifest.js';
import { referencedFrames, type SessionRecord, type StoredVersion } from '../../session/store.js';
import { type FrameEntry, parseEntryList, parseMetadata, replyText } from './redis-state.js';

/**
 * A session record ⇄ the fields of its Redis state hash (docs/redis-layout.md). The hash keeps frame entries
 * in the compact form the scripts read ({ f, n, r, c, b, v, op, label, at }); `n` (how many chunks a frame
 * is stored in) is the store's own business and travels beside the record.
 */

/** The state-hash fields the load script returns, in this order, then audit length, marks count, meta, expiry. */
export const STATE_FIELDS = [
  'v',
  'rev',
  'ttl',
  'seq',
  'initrows',
  'created',
  'updated',
  'filename',
  'cur',
  'hist',
  'redo',
  'lastuser',
] as const;

/** A loaded record with what the store needs to commit on top of it. */
export interface RedisLoaded {
  record: SessionRecord;
  expiresAtMs: number;
  /** Commit revision the record was read at. */
  rev: string;
  /** Chunks of every frame the record names (shared between loads of the same state: never mutated). */
  chunks: ReadonlyMap<string, number>;
  /** The metadata hash as loaded, to tell whether a commit changes it. */
  metadataJson: string;
  /** The state fields as stored (computed when first needed), so a commit sends only what changed. */
  fields?: Record<string, string>;
}

/**
 * Parsed frame-entry fields by their stored text. A load returns the same `hist` text until a commit changes
 * it, and checking manifests (zod) on every load would cost more than the load; the parsed values are never
 * mutated (records are replaced, not edited), so sharing them is safe.
 */
const parsedEntries = new LRUCache<string, FrameEntry[]>({ max: 64 });

function entriesOf(raw: string): FrameEntry[] {
  const known = parsedEntries.get(raw);
  if (known !== undefined) return known;
  const entries =
    raw.startsWith('[') || raw === '' || raw === '{}' ? parseEntryList(raw) : [JSON.parse(raw) as FrameEntry];
  for (const entry of entries) if (entry.m !== undefined) entry.m = manifestSchema.parse(entry.m);
  parsedEntries.set(raw, entries);
  return entries;
}

/**
 * Part counts of every blob: `fk` lists each with its count (chunks of chunked frames included). Parsed once
 * per stored text — loads of an unchanged session return the same `fk` of hundreds of chunks.
 */
const parsedChunks = new LRUCache<string, ReadonlyMap<string, number>>({ max: 64 });
function chunksOf(fk: string, entries: FrameEntry[]): ReadonlyMap<string, number> {
  const key = `${entries.map((entry) => `${entry.f}:${entry.n}`).join(',')}|${fk}`;
  const known = parsedChunks.get(key);
  if (known !== undefined) return known;
  const chunks = new Map<string, number>();
  for (const entry of entries) chunks.set(entry.f, entry.n);
  for (const item of fk.split(',')) {
    const split = item.lastIndexOf(':');
    if (split > 0) chunks.set(item.slice(0, split), Number(item.slice(split + 1)));
  }
  parsedChunks.set(key, chunks);
  return chunks;
}

/** Stringified once per manifest object (manifests are immutable; a commit names the same ones again). */
const manifestTexts = new WeakMap<FrameManifest, string>();
function manifestJson(manifest: FrameManifest): string {
  let text = manifestTexts.get(manifest);
  if (text === undefined) {
    text = JSON.stringify(manifest);
    manifestTexts.set(manifest, text);
  }
  return text;
}

/** Parsed (and checked) once per stored text. */
const parsedManifests = new LRUCache<string, FrameManifest>({ max: 1024 });
function manifestOf(raw: string): FrameManifest {
  let manifest = parsedManifests.get(raw);
  if (manifest === undefined) {
    manifest = manifestSchema.parse(JSON.parse(raw));
    manifestTexts.set(manifest, raw);
    parsedManifests.set(raw, manifest);
  }
  return manifest;
}

const entryAsVersion = (entry: FrameEntry): StoredVersion => ({
  info: {
    version: entry.v ?? 0,
    ...(entry.label !== undefined ? { label: entry.label } : {}),
    ...(entry.op !== undefined ? { operation: entry.op } : {}),
    ...(entry.u !== undefined ? { user: entry.u } : {}),
    createdAt: entry.at ?? '',
    rows: entry.r,
    columns: entry.c,
    bytes: entry.b,
  },
  frameId: entry.f,
  ...(entry.m !== undefined ? { manifest: entry.m } : {}),
});

const versionAsEntry = (entry: StoredVersion, chunks: ReadonlyMap<string, number>): FrameEntry => ({
  f: entry.frameId,
  n: chunks.get(entry.frameId) ?? 1,
  r: entry.info.rows,
  c: entry.info.columns,
  b: entry.info.bytes,
  v: entry.info.version,
  ...(entry.info.operation !== undefined ? { op: entry.info.operation } : {}),
  ...(entry.info.label !== undefined ? { label: entry.info.label } : {}),
  ...(entry.info.user !== undefined ? { u: entry.info.user } : {}),
  at: entry.info.createdAt,
});

/** The manifests a record holds, by frame id (what a load need not fetch again: they are immutable). */
export function knownManifests(record: SessionRecord | undefined): Map<string, FrameManifest> {
  const known = new Map<string, FrameManifest>();
  if (record === undefined) return known;
  for (const frame of [record.current, ...record.history, ...record.redo])
    if (frame.manifest !== undefined) known.set(frame.frameId, frame.manifest);
  return known;
}

/**
 * The load script's reply → the record (undefined when the session is missing). `known` supplies the
 * manifests the load was told not to send.
 */
export function recordFromReply(
  id: string,
  reply: unknown,
  known: ReadonlyMap<string, FrameManifest> = new Map(),
): RedisLoaded | undefined {
  if (reply === null || reply === undefined) return undefined;
  const parts = reply as unknown[];
  const field = (name: (typeof STATE_FIELDS)[number]): string => replyText(parts[STATE_FIELDS.indexOf(name)]);
  const base = STATE_FIELDS.length;
  try {
    const manifests = new Map<string, FrameManifest>();
    const flat = (parts[base + 5] as unknown[] | undefined) ?? [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const text = replyText(flat[i + 1]);
      if (text === '') throw new Error(`manifest of frame ${replyText(flat[i])} is missing`);
      manifests.set(replyText(flat[i]), manifestOf(text));
    }
    // Entries that carry their manifest inline (the layout before `m:` fields): the next commit rewrites all.
    let inline = false;
    const withManifest = (entry: FrameEntry): FrameEntry => {
      if (entry.m !== undefined) inline = true;
      const manifest = entry.m ?? manifests.get(entry.f) ?? known.get(entry.f);
      return manifest === undefined || manifest === entry.m ? entry : { ...entry, m: manifest };
    };
    const cur = withManifest((entriesOf(field('cur')) as [FrameEntry])[0]);
    const hist = entriesOf(field('hist')).map(withManifest);
    const redo = entriesOf(field('redo')).map(withManifest);
    const chunks = chunksOf(replyText(parts[base + 4]), [cur, ...hist, ...redo]);
    const metaFlat = parts[base + 2] as unknown[];
    const metadata = parseMetadata(metaFlat);
    const filename = field('filename');
    const record: SessionRecord = {
      sessionId: id,
      ...(filename !== '' ? { filename } : {}),
      createdAt: field('created'),
      updatedAt: field('updated'),
      ttlSeconds: Number(field('ttl')),
      version: Number(field('v')),
      current: {
        frameId: cur.f,
        rows: cur.r,
        columns: cur.c,
        bytes: cur.b,
        ...(cur.m !== undefined ? { manifest: cur.m } : {}),
      },
      history: hist.map(entryAsVersion),
      redo: redo.map(entryAsVersion),
      metadata,
      audit: {
        count: Number(replyText(parts[base])),
        lastSeq: Number(field('seq') || '0'),
        initialRows: Number(field('initrows') || '0'),
        ...(field('lastuser') !== '' ? { lastUser: field('lastuser') } : {}),
      },
      marks: { count: Number(replyText(parts[base + 1])) },
    };
    return {
      record,
      expiresAtMs: Number(replyText(parts[base + 3])),
      rev: field('rev') || '0',
      chunks,
      metadataJson: JSON.stringify(metadataFlat(metadata)),
      ...(inline ? { fields: {} } : {}),
    };
  } catch (error) {
    throw corruptData(`session ${id}: unreadable session state in Redis`, error);
  }
}

/**
 * The state-hash fields of a record to commit (`fk` lists every frame with its chunk count). `sameBlobs`: the
 * fields of a state that names the very same frames, whose blob fields (`fk`, `mf`, `m:*`) are reused as they
 * are — a version move or a metadata change then costs nothing per column chunk.
 */
export function stateFields(
  record: SessionRecord,
  chunks: ReadonlyMap<string, number>,
  sameBlobs?: Record<string, string>,
): Record<string, string> {
  const cur: FrameEntry = {
    f: record.current.frameId,
    n: chunks.get(record.current.frameId) ?? 1,
    r: record.current.rows,
    c: record.current.columns,
    b: record.current.bytes,
  };
  const hist = record.history.map((entry) => versionAsEntry(entry, chunks));
  const redo = record.redo.map((entry) => versionAsEntry(entry, chunks));
  return {
    v: String(record.version),
    ttl: String(record.ttlSeconds),
    seq: String(record.audit.lastSeq),
    initrows: String(record.audit.initialRows),
    created: record.createdAt,
    updated: record.updatedAt,
    filename: record.filename ?? '',
    cur: JSON.stringify(cur),
    hist: JSON.stringify(hist),
    redo: JSON.stringify(redo),
    lastuser: record.audit.lastUser ?? '',
    ...(sameBlobs !== undefined ? blobFieldsOf(sameBlobs) : blobFields(record, chunks)),
  };
}

function blobFields(record: SessionRecord, chunks: ReadonlyMap<string, number>): Record<string, string> {
  const frames = new Map<string, number>();
  for (const blob of referencedFrames(record)) frames.set(blob, chunks.get(blob) ?? 1);
  // Manifests live in fields of their own (`m:<frame id>`), written once with their frame: a version move
  // then rewrites a few small entries, not every manifest of the history.
  const manifests: Record<string, string> = {};
  for (const frame of [record.current, ...record.history, ...record.redo])
    if (frame.manifest !== undefined) manifests[`m:${frame.frameId}`] = manifestJson(frame.manifest);
  return {
    fk: [...frames].map(([frameId, n]) => `${frameId}:${n}`).join(','),
    mf: Object.keys(manifests)
      .map((name) => name.slice(2))
      .join(','),
    ...manifests,
  };
}

function blobFieldsOf(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields))
    if (name === 'fk' || name === 'mf' || name.startsWith('m:')) out[name] = value;
  return out;
}

/** Whether two records name the same set of frames (then they name the same blobs: frames are immutable). */
export function sameFrames(a: SessionRecord, b: SessionRecord): boolean {
  const ids = (record: SessionRecord) =>
    new Set([
      record.current.frameId,
      ...record.history.map((v) => v.frameId),
      ...record.redo.map((v) => v.frameId),
    ]);
  const left = ids(a);
  const right = ids(b);
  if (left.size !== right.size) return false;
  for (const id of left) if (!right.has(id)) return false;
  return true;
}

/** Metadata as the flat [field, JSON, …] list the commit script writes into the metadata hash. */
export function metadataFlat(metadata: Record<string, unknown>): string[] {
  const flat: string[] = [];
  for (const [key, value] of Object.entries(metadata)) flat.push(key, JSON.stringify(value));
  return flat;
}
