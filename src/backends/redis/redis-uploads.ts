import type { Table } from 'apache-arrow';
import { corruptData, StorageError } from '../../contract/errors.js';
import { newId } from '../../contract/ids.js';
import type { SheetInfo, StoreTempOptions, TempUploadInfo } from '../../contract/storage-backend.js';
import type { RedisContext } from './redis-context.js';
import { decodeStored, discardChunks, frameFromReply, splitFrame, writeChunks } from './redis-frames.js';
import { addToIndex, removeFromIndex } from './redis-index.js';
import { newFrameId } from './redis-keys.js';
import type { ScriptFailure } from './redis-scripts.js';
import { type FrameEntry, replyText } from './redis-state.js';

/** Temp uploads: the sheets of one file, kept until one is promoted to a session (inputs checked by the engine). */

/** A sheet as stored in the upload hash: its frame entry plus name and column names. */
export interface SheetEntry extends FrameEntry {
  name: string;
  cols: string[];
}

export const sheetInfo = (sheet: SheetEntry): SheetInfo => ({
  name: sheet.name,
  rows: sheet.r,
  columns: sheet.c,
  bytes: sheet.b,
});

/** cjson writes an empty list as {}. */
export function parseSheets(raw: string): SheetEntry[] {
  const list = JSON.parse(raw) as unknown;
  return Array.isArray(list) ? (list as SheetEntry[]) : [];
}

/** `fk` lists every frame of an upload as "<fid>:<chunks>" (the scripts slide and delete by it). */
export const frameList = (sheets: FrameEntry[]): string => sheets.map((s) => `${s.f}:${s.n}`).join(',');

export function uploadInfoFromReply(uploadId: string, reply: unknown[]): TempUploadInfo {
  const [createdAt, filename, sheets, expireAt] = reply.map(replyText);
  return {
    uploadId,
    ...(filename ? { filename } : {}),
    createdAt: createdAt ?? '',
    expiresAt: new Date(Number(expireAt)).toISOString(),
    sheets: parseSheets(sheets ?? '[]').map(sheetInfo),
  };
}

const sheetMissing = (uploadId: string, name: string) => (failure: ScriptFailure) =>
  failure.code === 'SHEET_NOT_FOUND'
    ? new StorageError('UPLOAD_NOT_FOUND', `upload ${uploadId} has no sheet ${JSON.stringify(name)}`)
    : undefined;

export async function storeTempSheets(
  ctx: RedisContext,
  sheets: Record<string, Table>,
  opts: StoreTempOptions = {},
): Promise<TempUploadInfo> {
  ctx.ensureOpen();
  const names = Object.keys(sheets);
  const ttl = opts.ttlSeconds ?? ctx.config.tempTtlSeconds;
  const filename = opts.filename ?? '';
  const uploadId = newId();
  // Encode everything first: PAYLOAD_TOO_LARGE must come before anything is written.
  const encoded = names.map((name) => {
    const table = sheets[name] as Table;
    const frame = ctx.codec.encode(table);
    const parts = splitFrame(frame, ctx.chunkBytes);
    const entry: SheetEntry = {
      name,
      f: newFrameId(),
      n: parts.length,
      r: table.numRows,
      c: table.numCols,
      b: frame.length,
      cols: table.schema.fields.map((field) => field.name),
    };
    return { entry, parts, keys: ctx.keys.sheetKeys(uploadId, entry.f, parts.length) };
  });
  const keys = encoded.flatMap((e) => e.keys);
  await writeChunks(
    ctx,
    keys,
    encoded.flatMap((e) => e.parts),
    ttl,
  );
  const entries = encoded.map((e) => e.entry);
  const createdAt = new Date().toISOString();
  try {
    await addToIndex(ctx, ctx.keys.uploadIndex, uploadId);
    const expireAt = await ctx.script(
      'fsUploadPut',
      [ctx.keys.upload(uploadId)],
      [ttl, createdAt, filename, JSON.stringify(entries), frameList(entries), '', '0'],
      { id: uploadId, kind: 'upload' },
    );
    return uploadInfoFromReply(uploadId, [createdAt, filename, JSON.stringify(entries), expireAt]);
  } catch (error) {
    await discardChunks(ctx, keys);
    throw error;
  }
}

export async function listTempSheets(ctx: RedisContext, uploadId: string): Promise<TempUploadInfo> {
  const reply = await ctx.script('fsUploadInfo', [ctx.keys.upload(uploadId)], [], {
    id: uploadId,
    kind: 'upload',
  });
  return uploadInfoFromReply(uploadId, reply as unknown[]);
}

export async function getTempSheet(ctx: RedisContext, uploadId: string, name: string): Promise<Table> {
  const what = `upload ${uploadId} sheet ${JSON.stringify(name)}`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const reply = (await ctx.script('fsUploadRead', [ctx.keys.upload(uploadId)], [name], {
      id: uploadId,
      kind: 'upload',
      buffers: true,
      onFailure: sheetMissing(uploadId, name),
    })) as unknown[];
    const read = await frameFromReply(
      ctx,
      reply,
      (raw) => JSON.parse(replyText(raw)) as SheetEntry,
      (e) => ctx.keys.sheetKeys(uploadId, e.f, e.n),
      what,
    );
    if (read.kind === 'bytes') return decodeStored(ctx, read.frame, what);
  }
  throw corruptData(`${what}: a chunk of its frame is missing`);
}

export async function deleteTemp(ctx: RedisContext, uploadId: string): Promise<boolean> {
  const deleted = await ctx.script('fsUploadDelete', [ctx.keys.upload(uploadId)], [], {
    id: uploadId,
    kind: 'upload',
  });
  await removeFromIndex(ctx, ctx.keys.uploadIndex, uploadId);
  return deleted === 1;
}
