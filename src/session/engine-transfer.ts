import { corruptData, invalidInput } from '../contract/errors.js';
import { assertValidId } from '../contract/ids.js';
import type {
  ImportOptions,
  PromoteOptions,
  SessionInfo,
  SessionSnapshot,
} from '../contract/storage-backend.js';
import { countAudit } from './annotations.js';
import { type EngineContext, infoOf, newFrameId, open } from './engine-context.js';
import { createFromFrame } from './engine-frames.js';
import { checkSessionSnapshot } from './snapshot-schema.js';
import { type NewFrame, referencedFrames, type SessionRecord, type StoredVersion } from './store.js';
import { assertCreateOptions, assertSheetName, isPlainObject } from './validate.js';

/** Whole-session copies (§8) and promoting a temp sheet into a session. */

const copyVersion = (entry: StoredVersion): StoredVersion => ({
  info: { ...entry.info },
  frameId: entry.frameId,
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
        ...(record.filename !== undefined ? { filename: record.filename } : {}),
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
        expiresAt: new Date(expiresAtMs).toISOString(),
        ttlSeconds: record.ttlSeconds,
        version: record.version,
        currentFrameId: record.current.frameId,
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
  const currentBytes = snapshot.frames[snapshot.currentFrameId] as Uint8Array;
  const current = ctx.codec.decode(currentBytes);
  // Fresh frame ids: a cached table is keyed by session + frame id and must never meet different bytes.
  // Entries may share a frame (createVersion): each snapshot frame is written once.
  const renamed = new Map<string, string>();
  const frames: NewFrame[] = [];
  const place = (oldId: string): string => {
    let fresh = renamed.get(oldId);
    if (fresh === undefined) {
      fresh = newFrameId();
      renamed.set(oldId, fresh);
      const bytes = snapshot.frames[oldId] as Uint8Array;
      const table = oldId === snapshot.currentFrameId ? current : undefined;
      frames.push({ frameId: fresh, source: { kind: 'bytes', bytes, ...(table ? { table } : {}) } });
    }
    return fresh;
  };
  const move = (entry: StoredVersion): StoredVersion => ({
    info: { ...entry.info },
    frameId: place(entry.frameId),
  });
  const audit = structuredClone(snapshot.audit);
  const marks = snapshot.marks.map((mark) => ({ ...mark }));
  const record: SessionRecord = {
    sessionId: snapshot.sessionId,
    ...(snapshot.filename !== undefined ? { filename: snapshot.filename } : {}),
    createdAt: snapshot.createdAt,
    updatedAt: snapshot.updatedAt,
    ttlSeconds: snapshot.ttlSeconds,
    version: snapshot.version,
    current: {
      frameId: place(snapshot.currentFrameId),
      rows: current.numRows,
      columns: current.numCols,
      bytes: currentBytes.byteLength,
    },
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
  return ctx.uploads.withSheet(uploadId, name, keep, (sheet) => {
    const filename =
      opts.filename ?? (sheet.uploadFilename !== undefined ? `${sheet.uploadFilename}#${name}` : name);
    const { keepUpload: _keep, ...createOpts } = opts;
    return createFromFrame(
      ctx,
      {
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
