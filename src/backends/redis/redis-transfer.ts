import { verifyFrame } from '../../codec/frame-codec.js';
import { corruptData } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';
import type {
  ImportOptions,
  SessionInfo,
  SessionSnapshot,
  SnapshotVersion,
} from '../../contract/storage-backend.js';
import { checkSessionSnapshot } from '../../session/snapshot-schema.js';
import type { RedisContext } from './redis-context.js';
import { decodeStored, discardChunks, readChunks, splitFrame, writeChunks } from './redis-frames.js';
import { addToIndex } from './redis-index.js';
import { toJson } from './redis-input.js';
import { newFrameId } from './redis-keys.js';
import {
  type FrameEntry,
  pairs,
  parseAuditEntry,
  parseEntry,
  parseEntryList,
  parseMarks,
  parseMetadata,
  parseSessionReply,
  publicInfo,
  replyText,
  versionInfo,
} from './redis-state.js';

/** Whole-session export and import (§8): frames travel as stored bytes, never re-encoded. */

const _FRAME_ID = /^[A-Za-z0-9_-]{1,64}$/;

const toSnapshotVersion = (entry: FrameEntry): SnapshotVersion => ({
  info: versionInfo(entry),
  frameId: entry.f,
});

/** A consistent copy that does not slide the TTL. Read again if a frame was dropped between the two steps. */
export async function exportSession(ctx: RedisContext, id: string): Promise<SessionSnapshot> {
  assertValidId(id);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const reply = (await ctx.script('fsExport', [ctx.keys.state(id)], [], { id })) as unknown[][];
    const [stateFlat = [], auditRaw = [], marksFlat = [], metaFlat = [], expireAt] = reply;
    const state = pairs(stateFlat);
    const cur = parseEntry(state.cur);
    const history = parseEntryList(state.hist);
    const redo = parseEntryList(state.redo);
    const unique = new Map<string, FrameEntry>();
    for (const entry of [cur, ...history, ...redo]) unique.set(entry.f, entry);
    const frames: Record<string, Uint8Array> = {};
    let complete = true;
    for (const entry of unique.values()) {
      const parts = await readChunks(ctx, ctx.keys.frameKeys(id, entry.f, entry.n));
      if (parts === undefined) {
        complete = false;
        break;
      }
      frames[entry.f] = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    }
    if (!complete) continue;
    const metadata = parseMetadata(metaFlat);
    return {
      formatVersion: 1,
      sessionId: id,
      ...(state.filename ? { filename: state.filename } : {}),
      createdAt: state.created ?? '',
      updatedAt: state.updated ?? '',
      expiresAt: new Date(Number(replyText(expireAt))).toISOString(),
      ttlSeconds: Number(state.ttl),
      version: Number(state.v),
      currentFrameId: cur.f,
      history: history.map(toSnapshotVersion),
      redo: redo.map(toSnapshotVersion),
      metadata,
      audit: auditRaw.map(parseAuditEntry),
      marks: parseMarks(marksFlat),
      frames,
    };
  }
  throw corruptData(`session ${id}: a frame is missing`);
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Writes a whole session in one script (frames first, under fresh frame ids), keeping its remaining TTL. */
export async function importSession(
  ctx: RedisContext,
  snapshot: SessionSnapshot,
  opts: ImportOptions = {},
): Promise<SessionInfo> {
  ctx.ensureOpen();
  checkSessionSnapshot(snapshot);
  const id = snapshot.sessionId;
  const fresh = new Map<string, FrameEntry>();
  const chunkKeys: string[] = [];
  const chunks: Buffer[] = [];
  const referenced = new Set([
    snapshot.currentFrameId,
    ...[...snapshot.history, ...snapshot.redo].map((v) => v.frameId),
  ]);
  for (const frameId of referenced) {
    const bytes = asBuffer(snapshot.frames[frameId] as Uint8Array);
    verifyFrame(bytes);
    const parts = splitFrame(bytes, ctx.chunkBytes);
    const entry: FrameEntry = { f: newFrameId(), n: parts.length, r: 0, c: 0, b: bytes.length };
    fresh.set(frameId, entry);
    chunkKeys.push(...ctx.keys.frameKeys(id, entry.f, entry.n));
    chunks.push(...parts);
  }
  // The current frame's shape is not in the snapshot: decoding it also proves it is readable.
  const current = decodeStored(
    ctx,
    asBuffer(snapshot.frames[snapshot.currentFrameId] as Uint8Array),
    `session ${id}`,
  );
  const curEntry = fresh.get(snapshot.currentFrameId) as FrameEntry;
  const cur = { ...curEntry, r: current.numRows, c: current.numCols, at: snapshot.updatedAt };
  const toEntry = (version: SnapshotVersion): FrameEntry => ({
    ...(fresh.get(version.frameId) as FrameEntry),
    r: version.info.rows,
    c: version.info.columns,
    v: version.info.version,
    at: version.info.createdAt,
    ...(version.info.operation !== undefined ? { op: version.info.operation } : {}),
    ...(version.info.label !== undefined ? { label: version.info.label } : {}),
  });
  const seq = snapshot.audit.reduce((max, entry) => Math.max(max, entry.seq), 0);
  const upload = snapshot.audit.find((entry) => entry.operation === 'upload');
  const state: string[] = [
    'v',
    String(snapshot.version),
    'ttl',
    String(snapshot.ttlSeconds),
    'created',
    snapshot.createdAt,
    'updated',
    snapshot.updatedAt,
    'cur',
    JSON.stringify(cur),
    'hist',
    JSON.stringify(snapshot.history.map(toEntry)),
    'redo',
    JSON.stringify(snapshot.redo.map(toEntry)),
    'seq',
    String(seq),
    'initrows',
    String(upload?.rowsAfter ?? current.numRows),
    ...(snapshot.filename ? ['filename', snapshot.filename] : []),
  ];
  const audit = snapshot.audit.map((entry) => toJson(parseAuditEntry(JSON.stringify(entry)), 'audit entry'));
  const marks = (snapshot.marks ?? []).flatMap((mark) => [
    `${mark.row}:${mark.column}`,
    toJson(
      { ...(mark.reason !== undefined ? { reason: mark.reason } : {}), markedAt: mark.markedAt },
      'mark',
    ),
  ]);
  const meta = Object.entries(snapshot.metadata ?? {}).flatMap(([key, value]) =>
    value === null || value === undefined ? [] : [key, toJson(value, `metadata.${key}`)],
  );
  const schema = [cur.f, JSON.stringify(current.schema.fields.map((field) => field.name))];
  // Keep the remaining TTL; a snapshot that has just run out still lands (briefly) rather than vanishing mid-call.
  const expireAt = Math.max(Date.parse(snapshot.expiresAt) || 0, Date.now() + 1000);
  await writeChunks(ctx, chunkKeys, chunks, snapshot.ttlSeconds);
  try {
    await addToIndex(ctx, ctx.keys.sessionIndex, id, Date.parse(snapshot.createdAt) || Date.now());
    const reply = await ctx.script(
      'fsImport',
      [ctx.keys.state(id)],
      [
        opts.overwrite ? '1' : '0',
        expireAt,
        ctx.guard(id),
        ...[state, audit, marks, meta, schema].flatMap((section) => [section.length, ...section]),
      ],
      { id },
    );
    return publicInfo(parseSessionReply(id, reply));
  } catch (error) {
    await discardChunks(ctx, chunkKeys);
    throw error;
  }
}
