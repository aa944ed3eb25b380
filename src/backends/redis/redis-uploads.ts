import type { Table } from 'apache-arrow';
import { corruptData } from '../../contract/errors.js';
import type { ListSessionsOptions } from '../../contract/storage-backend.js';
import type { NewUpload, UploadRecord, UploadSheet, UploadStore } from '../../session/store.js';
import type { RedisContext } from './redis-context.js';
import { decodeStored, discardChunks, readChunks, splitFrame, writeChunks } from './redis-frames.js';
import { addToIndex, pageIndex, removeFromIndex } from './redis-index.js';
import { newFrameId } from './redis-keys.js';
import type { FrameEntry } from './redis-state.js';

/** A sheet as stored in the upload hash's `sheets` JSON list: its frame entry plus its name. */
interface SheetEntry extends FrameEntry {
  name: string;
}

/** The upload hash (docs/redis-layout.md) → the engine's record; undefined when the hash is gone. */
function recordOf(uploadId: string, hash: Record<string, string>): UploadRecord | undefined {
  if (hash.sheets === undefined) return undefined;
  // cjson writes an empty list as {}.
  const list = JSON.parse(hash.sheets) as unknown;
  const entries = Array.isArray(list) ? (list as SheetEntry[]) : [];
  return {
    uploadId,
    ...(hash.filename ? { filename: hash.filename } : {}),
    createdAt: hash.created ?? '',
    ttlSeconds: Number(hash.ttl),
    expiresAtMs: Number(hash.exp),
    sheets: entries.map((entry) => ({
      info: { name: entry.name, rows: entry.r, columns: entry.c, bytes: entry.b },
      frameId: entry.f,
      chunks: entry.n,
    })),
  };
}

/**
 * Temp uploads on Redis: one hash per upload plus its sheets' frame keys, all under the upload's hash tag and
 * expiring together at its fixed expiry. Reads are plain commands; a put is one script (the commit point).
 * A promote deletes the upload in the new session's commit script, so a sheet is promoted once without a lock.
 */
export class RedisUploadStore implements UploadStore {
  constructor(private readonly ctx: RedisContext) {}

  async load(uploadId: string): Promise<UploadRecord | undefined> {
    this.ctx.ensureOpen();
    const hash = await this.ctx.command('upload read', () =>
      this.ctx.client.hgetall(this.ctx.keys.upload(uploadId)),
    );
    return recordOf(uploadId, hash);
  }

  /** Sheet frames go first under fresh frame ids (provisional TTL); the script makes them visible at once. */
  async put(upload: NewUpload, opts: { overwrite: boolean }): Promise<UploadRecord> {
    const { ctx } = this;
    ctx.ensureOpen();
    const { uploadId } = upload;
    const keys: string[] = [];
    const parts: Buffer[] = [];
    const entries: SheetEntry[] = upload.sheets.map(({ info, bytes }) => {
      const frame = Buffer.isBuffer(bytes)
        ? bytes
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const split = splitFrame(frame, ctx.chunkBytes);
      const entry = {
        name: info.name,
        f: newFrameId(),
        n: split.length,
        r: info.rows,
        c: info.columns,
        b: frame.length,
      };
      keys.push(...ctx.keys.sheetKeys(uploadId, entry.f, entry.n));
      parts.push(...split);
      return entry;
    });
    await writeChunks(ctx, keys, parts, upload.ttlSeconds);
    try {
      await addToIndex(ctx, ctx.keys.uploadIndex, uploadId, Date.parse(upload.createdAt) || Date.now());
      const sheets = JSON.stringify(entries);
      // The frame list names fresh frame ids: a resent call (lost reply) finds its own list and succeeds.
      const frameList = entries.map((entry) => `${entry.f}:${entry.n}`).join(',');
      const args = [upload.ttlSeconds, upload.createdAt, upload.filename ?? '', sheets, frameList];
      const at = await ctx.script(
        'fsUploadPut',
        [ctx.keys.upload(uploadId)],
        [...args, upload.expiresAtMs, opts.overwrite ? '1' : '0'],
        { id: uploadId, kind: 'upload' },
      );
      return recordOf(uploadId, {
        sheets,
        created: upload.createdAt,
        ttl: String(upload.ttlSeconds),
        exp: String(at),
        ...(upload.filename !== undefined ? { filename: upload.filename } : {}),
      }) as UploadRecord;
    } catch (error) {
      await discardChunks(ctx, keys);
      throw error;
    }
  }

  async readSheet(uploadId: string, sheet: UploadSheet): Promise<Table | undefined> {
    const bytes = await this.readSheetBytes(uploadId, sheet);
    return bytes === undefined ? undefined : decodeStored(this.ctx, bytes, `upload ${uploadId} sheet`);
  }

  async readSheetBytes(uploadId: string, sheet: UploadSheet): Promise<Buffer | undefined> {
    const parts = await readChunks(
      this.ctx,
      this.ctx.keys.sheetKeys(uploadId, sheet.frameId, sheet.chunks ?? 1),
    );
    if (parts === undefined) return undefined;
    const frame = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    if (frame.length !== sheet.info.bytes) {
      throw corruptData(
        `upload ${uploadId}: stored sheet is ${frame.length} bytes, expected ${sheet.info.bytes}`,
      );
    }
    return frame;
  }

  async remove(uploadId: string): Promise<boolean> {
    const deleted = await this.ctx.script('fsUploadDelete', [this.ctx.keys.upload(uploadId)], [], {
      id: uploadId,
      kind: 'upload',
    });
    await removeFromIndex(this.ctx, this.ctx.keys.uploadIndex, uploadId);
    return deleted === 1;
  }

  async list(opts: ListSessionsOptions): Promise<{ uploads: UploadRecord[]; cursor?: string }> {
    this.ctx.ensureOpen();
    const page = await pageIndex(this.ctx, this.ctx.keys.uploadIndex, opts, (ids) =>
      Promise.all(ids.map((id) => this.load(id))),
    );
    return page.cursor === undefined ? { uploads: page.items } : { uploads: page.items, cursor: page.cursor };
  }

  /** The session's commit deletes the upload (frame source flagged `consume`); this only tidies the index. */
  async withUpload<R>(
    uploadId: string,
    keep: boolean,
    fn: (upload: UploadRecord | undefined) => Promise<R>,
  ): Promise<R> {
    const result = await fn(await this.load(uploadId));
    if (!keep) await removeFromIndex(this.ctx, this.ctx.keys.uploadIndex, uploadId);
    return result;
  }
}
