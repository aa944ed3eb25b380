import { corruptData, isStorageError, uploadNotFound } from '../../contract/errors.js';
import type {
  ImportOptions,
  ListSessionsOptions,
  ListTempUploadsResult,
  TempUploadInfo,
  TempUploadSnapshot,
} from '../../contract/storage-backend.js';
import type { RedisContext } from './redis-context.js';
import { discardChunks, readChunks, splitFrame, writeChunks } from './redis-frames.js';
import { addToIndex, pageIndex } from './redis-index.js';
import { newFrameId } from './redis-keys.js';
import { replyText } from './redis-state.js';
import { frameList, parseSheets, type SheetEntry, sheetInfo, uploadInfoFromReply } from './redis-uploads.js';

/** Listing, export and import of temp uploads (§8). */

async function peekUpload(ctx: RedisContext, uploadId: string): Promise<unknown[] | undefined> {
  try {
    return (await ctx.script('fsUploadInfo', [ctx.keys.upload(uploadId)], [], {
      id: uploadId,
      kind: 'upload',
    })) as unknown[];
  } catch (error) {
    if (isStorageError(error, 'UPLOAD_NOT_FOUND')) return undefined;
    throw error;
  }
}

export async function listTempUploads(
  ctx: RedisContext,
  opts: ListSessionsOptions = {},
): Promise<ListTempUploadsResult> {
  ctx.ensureOpen();
  const page = await pageIndex<TempUploadInfo>(ctx, ctx.keys.uploadIndex, opts, (ids) =>
    Promise.all(
      ids.map(async (id) => {
        const reply = await peekUpload(ctx, id);
        return reply === undefined ? undefined : uploadInfoFromReply(id, reply);
      }),
    ),
  );
  return { uploads: page.items, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) };
}

/** Every sheet as stored bytes; does not slide the TTL. */
export async function exportTempUpload(ctx: RedisContext, uploadId: string): Promise<TempUploadSnapshot> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const reply = await peekUpload(ctx, uploadId);
    if (reply === undefined) throw uploadNotFound(uploadId);
    const [createdAt, filename, sheetsRaw, expireAt, ttl] = reply.map(replyText);
    const sheets: TempUploadSnapshot['sheets'] = [];
    for (const sheet of parseSheets(sheetsRaw ?? '[]')) {
      const parts = await readChunks(ctx, ctx.keys.sheetKeys(uploadId, sheet.f, sheet.n));
      if (parts === undefined) break;
      sheets.push({
        info: sheetInfo(sheet),
        frame: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts),
      });
    }
    if (sheets.length !== parseSheets(sheetsRaw ?? '[]').length) continue;
    return {
      formatVersion: 1,
      uploadId,
      ...(filename ? { filename } : {}),
      createdAt: createdAt ?? '',
      expiresAt: new Date(Number(expireAt)).toISOString(),
      ttlSeconds: Number(ttl),
      sheets,
    };
  }
  throw corruptData(`upload ${uploadId}: a sheet frame is missing`);
}

/**
 * One script makes the whole upload visible; STALE_WRITE when it exists unless overwrite. The engine checked
 * the snapshot (session/snapshot-schema.ts).
 */
export async function importTempUpload(
  ctx: RedisContext,
  snapshot: TempUploadSnapshot,
  opts: ImportOptions = {},
): Promise<TempUploadInfo> {
  ctx.ensureOpen();
  const uploadId = snapshot.uploadId;
  const keys: string[] = [];
  const chunks: Buffer[] = [];
  const entries: SheetEntry[] = snapshot.sheets.map(({ info, frame }) => {
    const bytes = Buffer.isBuffer(frame)
      ? frame
      : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    const parts = splitFrame(bytes, ctx.chunkBytes);
    const entry: SheetEntry = {
      name: info.name,
      f: newFrameId(),
      n: parts.length,
      r: info.rows,
      c: info.columns,
      b: bytes.length,
      cols: [],
    };
    keys.push(...ctx.keys.sheetKeys(uploadId, entry.f, entry.n));
    chunks.push(...parts);
    return entry;
  });
  // An expiry already passed stays passed: the upload is not brought back (as for sessions).
  const expireAt = Date.parse(snapshot.expiresAt);
  await writeChunks(ctx, keys, chunks, snapshot.ttlSeconds);
  try {
    await addToIndex(ctx, ctx.keys.uploadIndex, uploadId, Date.parse(snapshot.createdAt) || Date.now());
    const sheetsJson = JSON.stringify(entries);
    const at = await ctx.script(
      'fsUploadPut',
      [ctx.keys.upload(uploadId)],
      [
        snapshot.ttlSeconds,
        snapshot.createdAt,
        snapshot.filename ?? '',
        sheetsJson,
        frameList(entries),
        expireAt,
        opts.overwrite ? '1' : '0',
      ],
      { id: uploadId, kind: 'upload' },
    );
    return uploadInfoFromReply(uploadId, [snapshot.createdAt, snapshot.filename ?? '', sheetsJson, at]);
  } catch (error) {
    await discardChunks(ctx, keys);
    throw error;
  }
}
