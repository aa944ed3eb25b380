import { corruptData, invalidInput } from '../contract/errors.js';
import { assertValidId } from '../contract/ids.js';
import type {
  ImportOptions,
  PromoteOptions,
  SessionInfo,
  SessionSnapshot,
} from '../contract/storage-backend.js';
import { byCell, countAudit } from './annotations.js';
import { blobsOf, type FrameManifest } from './chunks/manifest.js';
import { type EngineContext, infoOf, newFrameId, open } from './engine-context.js';
import { createFromFrame } from './engine-frames.js';
import { findSheet, liveUpload } from './engine-uploads.js';
import { checkSessionSnapshot } from './snapshot-schema.js';
import { type NewFrame, referencedFrames, type SessionRecord, type StoredVersion } from './store.js';
import { assertCreateOptions, assertSheetName, isPlainObject } from './validate.js';

/** Whole-session copies (§8) and promoting a temp sheet into a session. */

const copyVersion = (entry: StoredVersion): StoredVersion => ({
  info: { ...entry.info },
  frameId: entry.frameId,
  ...(entry.manifest !== undefined ? { manifest: structuredClone(entry.manifest) } : {}),
});

/** A consistent copy of a whole session (under its lock), frames as stored bytes. Does not slide the TTL. */
export function exportSession(ctx: EngineContext, id: string): Promise<SessionSnapshot> {
  return ctx.store.withLock(
    id,
    async () => {
      const { record, expiresAtMs } = await open(ctx, id, false);
      const frames: Record<string, Uint8Array> = {};
      for (const frameId of referencedFrames(record)) {
        const bytes = await ctx.store.readFrameBytes(id, frameId);
        if (bytes === undefined) throw corruptData(`session ${id}: frame ${frameId} is missing`);
        frames[frameId] = bytes;
      }
      return {
        formatVersion: 1,
        sessionId: id,
        ...(record.filename ? { filename: record.filename } : {}),
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
        expiresAt: new Date(expiresAtMs).toISOString(),
        ttlSeconds: record.ttlSeconds,
        version: record.version,
        currentFrameId: record.current.frameId,
        ...(record.current.manifest !== undefined
          ? { currentManifest: structuredClone(record.current.manifest) }
          : {}),
        history: record.history.map(copyVersion),
        redo: record.redo.map(copyVersion),
        metadata: structuredClone(record.metadata),
        audit: await ctx.store.readAudit(id, record),
        marks: await ctx.store.readMarks(id, record),
        frames,
      };
    },
    {},
  );
}

/** Writes a whole session in one commit, keeping its id, history, redo, audit, marks and remaining TTL. */
export async function importSession(
  ctx: EngineContext,
  input: SessionSnapshot,
  opts: ImportOptions,
): Promise<SessionInfo> {
  const snapshot = checkSessionSnapshot(input);
  if (!isPlainObject(opts)) throw invalidInput('import options must be an object');
  // Fresh ids for whole frames: a cached table is keyed by session + frame id and must never meet different
  // bytes. Chunks keep theirs (an id is the hash of the chunk's bytes, checked by checkSessionSnapshot).
  // Entries may share a frame (createVersion) and frames share chunks: each blob is written once.
  const renamed = new Map<string, string>();
  const frames: NewFrame[] = [];
  const place = (oldId: string, manifest: FrameManifest | undefined): string => {
    let fresh = renamed.get(oldId);
    if (fresh === undefined) {
      fresh = newFrameId();
      renamed.set(oldId, fresh);
      for (const blob of manifest === undefined ? [oldId] : blobsOf({ frameId: oldId, manifest })) {
        if (renamed.has(`blob:${blob}`)) continue;
        renamed.set(`blob:${blob}`, blob);
        const bytes = snapshot.frames[blob] as Uint8Array;
        frames.push({ frameId: manifest === undefined ? fresh : blob, source: { kind: 'bytes', bytes } });
      }
    }
    return fresh;
  };
  const move = (entry: StoredVersion): StoredVersion => ({
    info: { ...entry.info },
    frameId: place(entry.frameId, entry.manifest),
    ...(entry.manifest !== undefined ? { manifest: structuredClone(entry.manifest) } : {}),
  });
  const manifest = snapshot.currentManifest;
  const currentBytes = snapshot.frames[snapshot.currentFrameId];
  const current =
    manifest !== undefined
      ? {
          rows: manifest.rows,
          columns: manifest.columns.length,
          bytes: manifest.columns.reduce((sum, c) => sum + c.bytes.reduce((a, b) => a + b, 0), 0),
          manifest: structuredClone(manifest),
        }
      : (() => {
          const table = ctx.codec.decode(currentBytes as Uint8Array);
          return {
            rows: table.numRows,
            columns: table.numCols,
            bytes: (currentBytes as Uint8Array).byteLength,
          };
        })();
  const audit = structuredClone(snapshot.audit);
  // Marks are served sorted by cell on every store (the snapshot may list them in any order, each cell once).
  const marks = snapshot.marks.map((mark) => ({ ...mark })).sort(byCell);
  const record: SessionRecord = {
    sessionId: snapshot.sessionId,
    ...(snapshot.filename ? { filename: snapshot.filename } : {}),
    createdAt: snapshot.createdAt,
    updatedAt: snapshot.updatedAt,
    ttlSeconds: snapshot.ttlSeconds,
    version: snapshot.version,
    current: { frameId: place(snapshot.currentFrameId, manifest), ...current },
    history: snapshot.history.map(move),
    redo: snapshot.redo.map(move),
    metadata: structuredClone(snapshot.metadata),
    audit: countAudit({ count: 0, lastSeq: 0, initialRows: 0 }, audit),
    marks: { count: marks.length },
  };
  const expiresAtMs = Date.parse(snapshot.expiresAt);
  const loaded = await ctx.store.create(
    {
      record,
      frames,
      audit,
      marks,
      keepUpdatedAt: true,
      touchAtMs: expiresAtMs - snapshot.ttlSeconds * 1000,
    },
    { overwrite: opts.overwrite === true },
  );
  return infoOf(loaded);
}

/** A session from one temp sheet (the store links the sheet's bytes: no re-encoding), then the upload goes. */
export function promoteTempSheet(
  ctx: EngineContext,
  uploadId: string,
  name: string,
  opts: PromoteOptions,
): Promise<SessionInfo> {
  assertValidId(uploadId, 'upload');
  assertSheetName(name);
  assertCreateOptions(opts);
  if (opts.keepUpload !== undefined && typeof opts.keepUpload !== 'boolean') {
    throw invalidInput('keepUpload must be a boolean');
  }
  const keep = opts.keepUpload === true;
  return ctx.uploads.withUpload(uploadId, keep, (stored) => {
    const upload = liveUpload(stored);
    const sheet = findSheet(upload, uploadId, name);
    const filename = opts.filename || (upload?.filename ? `${upload.filename}#${name}` : name);
    const { keepUpload: _keep, ...createOpts } = opts;
    return createFromFrame(
      ctx,
      {
        kind: 'sheet',
        source: { kind: 'sheet', uploadId, sheet, consume: !keep },
        rows: sheet.info.rows,
        columns: sheet.info.columns,
        bytes: sheet.info.bytes,
      },
      { ...createOpts, filename },
      { uploadId, sheet: name },
    );
  });
}
