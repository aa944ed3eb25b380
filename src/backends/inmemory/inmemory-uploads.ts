import fs from 'node:fs';
import type { Table } from 'apache-arrow';
import { z } from 'zod';
import type { ByteLru } from '../../cache/byte-lru.js';
import { type FrameCodec, tableMemoryBytes } from '../../codec/frame-codec.js';
import { corruptData, StorageError } from '../../contract/errors.js';
import type { ListSessionsOptions } from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import type { NewUpload, UploadRecord, UploadSheet, UploadStore } from '../../session/store.js';
import { newFileId } from './inmemory-commit.js';
import {
  commitFileSync,
  fsyncDirSync,
  readFileIfExists,
  readSmallSync,
  removeFileQuietSync,
  removeTree,
  writeImmutable,
} from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';
import { pageIds } from './inmemory-listing.js';
import type { FileLocks } from './inmemory-lock.js';

const count = z.number().int().nonnegative();
const manifestSchema = z.object({
  format: z.literal(1),
  uploadId: z.string(),
  filename: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  ttlSeconds: z.number().int().positive(),
  sheets: z.array(
    z.object({
      info: z.object({ name: z.string(), rows: count, columns: count, bytes: count }),
      frameId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    }),
  ),
});

type UploadManifest = z.infer<typeof manifestSchema>;

const toRecord = (manifest: UploadManifest): UploadRecord => ({
  uploadId: manifest.uploadId,
  ...(manifest.filename !== undefined ? { filename: manifest.filename } : {}),
  createdAt: manifest.createdAt,
  ttlSeconds: manifest.ttlSeconds,
  expiresAtMs: Date.parse(manifest.expiresAt),
  sheets: manifest.sheets.map((sheet) => ({ info: { ...sheet.info }, frameId: sheet.frameId })),
});

const isLive = (manifest: UploadManifest | undefined): boolean =>
  manifest !== undefined && Date.parse(manifest.expiresAt) > Date.now();

const leaf = { leaf: true };

/**
 * Temp uploads on disk: uploads/<id>/manifest.json (the commit point) + one immutable frame file per sheet
 * under sheets/, written under the upload's lock. Nothing expires files on its own here: an expired upload is
 * removed by the next access that finds it, or by the sweep.
 */
export class DiskUploadStore implements UploadStore {
  constructor(
    readonly layout: InMemoryLayout,
    readonly locks: FileLocks,
    private readonly codec: FrameCodec,
    private readonly cache: ByteLru<Table>,
    private readonly logger: Logger,
  ) {}

  /** The manifest as stored (expired or not); CORRUPT_DATA when it cannot be read. */
  manifest(uploadId: string): UploadManifest | undefined {
    const bytes = readSmallSync(this.layout.manifestPath(uploadId));
    if (bytes === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw corruptData(`upload ${uploadId}: manifest is not valid JSON`, error);
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success || parsed.data.uploadId !== uploadId)
      throw corruptData(`upload ${uploadId}: malformed manifest`);
    return parsed.data;
  }

  async load(uploadId: string): Promise<UploadRecord | undefined> {
    const manifest = this.manifest(uploadId);
    if (manifest === undefined) return undefined;
    if (!isLive(manifest)) await this.expire(uploadId);
    return toRecord(manifest);
  }

  put(upload: NewUpload, opts: { overwrite: boolean }): Promise<UploadRecord> {
    const { uploadId } = upload;
    return this.locks.run(
      this.layout.lockTarget('upload', uploadId),
      async () => {
        let previous: UploadManifest | undefined;
        try {
          previous = this.manifest(uploadId);
        } catch {
          previous = undefined; // corrupt: replaceable; stray files go with the next replacement or expiry
        }
        if (isLive(previous) && !opts.overwrite) {
          throw new StorageError(
            'STALE_WRITE',
            `upload ${uploadId} already exists; pass overwrite to replace it`,
          );
        }
        fs.mkdirSync(this.layout.sheetsDir(uploadId), { recursive: true });
        const written: string[] = [];
        try {
          const sheets: UploadManifest['sheets'] = [];
          for (const sheet of upload.sheets) {
            const frameId = newFileId();
            const file = this.layout.sheetPath(uploadId, frameId);
            written.push(file);
            await writeImmutable(file, sheet.bytes);
            sheets.push({ info: { ...sheet.info }, frameId });
          }
          const manifest: UploadManifest = {
            format: 1,
            uploadId,
            ...(upload.filename !== undefined ? { filename: upload.filename } : {}),
            createdAt: upload.createdAt,
            expiresAt: new Date(upload.expiresAtMs).toISOString(),
            ttlSeconds: upload.ttlSeconds,
            sheets,
          };
          // The manifest goes last, once the sheet files and the folder are durable.
          fsyncDirSync(this.layout.sheetsDir(uploadId));
          fsyncDirSync(this.layout.uploadsDir);
          commitFileSync(this.layout.manifestPath(uploadId), JSON.stringify(manifest));
          for (const old of previous?.sheets ?? [])
            removeFileQuietSync(this.layout.sheetPath(uploadId, old.frameId));
          upload.sheets.forEach((sheet, index) => {
            const frameId = sheets[index]?.frameId;
            if (sheet.table !== undefined && frameId !== undefined)
              this.remember(uploadId, frameId, sheet.table);
          });
          return toRecord(manifest);
        } catch (error) {
          for (const file of written) removeFileQuietSync(file);
          throw error;
        }
      },
      leaf,
    );
  }

  async readSheet(uploadId: string, sheet: UploadSheet): Promise<Table | undefined> {
    const key = `u:${uploadId}/${sheet.frameId}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const bytes = await this.readSheetBytes(uploadId, sheet);
    if (bytes === undefined) return undefined;
    const table = this.codec.decode(bytes);
    this.cache.set(key, table, tableMemoryBytes(table));
    return table;
  }

  readSheetBytes(uploadId: string, sheet: UploadSheet): Promise<Uint8Array | undefined> {
    return readFileIfExists(this.layout.sheetPath(uploadId, sheet.frameId));
  }

  /** Caches a sheet a put stored, when decoding it would give back the same table (Arrow IPC does). */
  private remember(uploadId: string, frameId: string, table: Table): void {
    if (this.codec.options.serialization === 'arrow') {
      this.cache.set(`u:${uploadId}/${frameId}`, table, tableMemoryBytes(table));
    }
  }

  remove(uploadId: string): Promise<boolean> {
    return this.locks.run(
      this.layout.lockTarget('upload', uploadId),
      async () => {
        let live = true;
        try {
          live = isLive(this.manifest(uploadId));
        } catch {
          live = true; // a corrupt upload is still something the caller deleted
        }
        return (await this.removeFolder(uploadId)) && live;
      },
      leaf,
    );
  }

  async list(opts: ListSessionsOptions): Promise<{ uploads: UploadRecord[]; cursor?: string }> {
    const page = await pageIds(this.layout.uploadsDir, opts, (id) => {
      try {
        const manifest = this.manifest(id);
        return isLive(manifest) ? toRecord(manifest as UploadManifest) : undefined;
      } catch (error) {
        this.logger.warn({ err: error, uploadId: id }, 'skipping an unreadable upload');
        return undefined;
      }
    });
    return page.cursor === undefined ? { uploads: page.items } : { uploads: page.items, cursor: page.cursor };
  }

  /** Under the upload's lock: a sheet is promoted once, and the upload goes with it unless `keep`. */
  withUpload<R>(
    uploadId: string,
    keep: boolean,
    fn: (upload: UploadRecord | undefined) => Promise<R>,
  ): Promise<R> {
    return this.locks.run(
      this.layout.lockTarget('upload', uploadId),
      async () => {
        const manifest = this.manifest(uploadId);
        const result = await fn(manifest === undefined ? undefined : toRecord(manifest));
        if (!keep) await this.removeFolder(uploadId);
        return result;
      },
      leaf,
    );
  }

  /** Deletes an upload's folder in one rename; false when it did not exist. */
  async removeFolder(uploadId: string): Promise<boolean> {
    this.cache.deletePrefix(`u:${uploadId}/`);
    return removeTree(this.layout.uploadDir(uploadId), this.layout.trashDir);
  }

  /** Removes an upload that has expired, without waiting for a busy lock (the sweep retries later). */
  async expire(uploadId: string): Promise<boolean> {
    try {
      return await this.locks.run(
        this.layout.lockTarget('upload', uploadId),
        async () => !isLive(this.manifest(uploadId)) && this.removeFolder(uploadId),
        { leaf: true, retryCount: 0 },
      );
    } catch (error) {
      if ((error as { code?: string }).code !== 'LOCK_TIMEOUT') {
        this.logger.warn({ err: error, uploadId }, 'could not remove an expired upload');
      }
      return false;
    }
  }
}
