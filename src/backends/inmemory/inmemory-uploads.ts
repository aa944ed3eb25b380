import fs from 'node:fs';
import type { Table } from 'apache-arrow';
import { z } from 'zod';
import type { ByteLru } from '../../cache/byte-lru.js';
import { type FrameCodec, tableMemoryBytes } from '../../codec/frame-codec.js';
import { corruptData, uploadNotFound } from '../../contract/errors.js';
import { newId } from '../../contract/ids.js';
import type { SheetInfo, StoreTempOptions, TempUploadInfo } from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import { newFileId } from './inmemory-commit.js';
import {
  commitFileSync,
  fsyncDirSync,
  readFileIfExists,
  readSmallSync,
  removeTree,
  writeImmutable,
} from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';
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

export type UploadManifest = z.infer<typeof manifestSchema>;

export const toUploadInfo = (manifest: UploadManifest): TempUploadInfo => ({
  uploadId: manifest.uploadId,
  ...(manifest.filename !== undefined ? { filename: manifest.filename } : {}),
  createdAt: manifest.createdAt,
  expiresAt: manifest.expiresAt,
  sheets: manifest.sheets.map((sheet) => ({ ...sheet.info })),
});

/**
 * Temporary multi-sheet uploads: uploads/<id>/manifest.json (the commit point) + one immutable frame per
 * sheet. They expire TEMP_TTL_SECONDS after they were stored (not sliding: they are a waiting room).
 */
export class UploadFiles {
  constructor(
    readonly layout: InMemoryLayout,
    readonly locks: FileLocks,
    private readonly codec: FrameCodec,
    private readonly cache: ByteLru<Table>,
    private readonly defaultTtlSeconds: number,
    private readonly logger: Logger,
  ) {}

  load(uploadId: string): UploadManifest | undefined {
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

  /** A live upload's manifest; an expired one is removed and reported as not found. */
  async open(uploadId: string): Promise<UploadManifest> {
    const manifest = this.load(uploadId);
    if (manifest === undefined) throw uploadNotFound(uploadId);
    if (Date.parse(manifest.expiresAt) <= Date.now()) {
      await this.expire(uploadId);
      throw uploadNotFound(uploadId);
    }
    return manifest;
  }

  /** Sheets and options as the engine checked them (session/validate.ts). */
  async store(sheets: Record<string, Table>, opts: StoreTempOptions): Promise<TempUploadInfo> {
    const encoded = Object.entries(sheets).map(([name, table]) => ({
      name,
      table,
      bytes: this.codec.encode(table),
    }));
    const uploadId = newId();
    const ttlSeconds = opts.ttlSeconds ?? this.defaultTtlSeconds;
    const now = Date.now();
    return this.locks.run(
      this.layout.lockTarget('upload', uploadId),
      async () => {
        fs.mkdirSync(this.layout.sheetsDir(uploadId), { recursive: true });
        const entries: UploadManifest['sheets'] = [];
        for (const sheet of encoded) {
          const frameId = newFileId();
          await writeImmutable(this.layout.sheetPath(uploadId, frameId), sheet.bytes);
          entries.push({ info: sheetInfo(sheet.name, sheet.table, sheet.bytes.length), frameId });
        }
        const manifest: UploadManifest = {
          format: 1,
          uploadId,
          ...(opts.filename !== undefined ? { filename: opts.filename } : {}),
          createdAt: new Date(now).toISOString(),
          expiresAt: new Date(now + ttlSeconds * 1000).toISOString(),
          ttlSeconds,
          sheets: entries,
        };
        this.commit(manifest);
        for (const [i, sheet] of encoded.entries()) this.remember(uploadId, entries[i]!.frameId, sheet.table);
        return toUploadInfo(manifest);
      },
      { leaf: true },
    );
  }

  /** Writes the manifest (the commit point, last) after the sheet files and the folder are durable. */
  commit(manifest: UploadManifest): void {
    fsyncDirSync(this.layout.sheetsDir(manifest.uploadId));
    fsyncDirSync(this.layout.uploadsDir);
    commitFileSync(this.layout.manifestPath(manifest.uploadId), JSON.stringify(manifest));
  }

  /** The named sheet of a live upload (UPLOAD_NOT_FOUND for an unknown sheet). */
  findSheet(manifest: UploadManifest, name: string): UploadManifest['sheets'][number] {
    const sheet = manifest.sheets.find((candidate) => candidate.info.name === name);
    if (sheet === undefined) throw uploadNotFound(`${manifest.uploadId} sheet ${JSON.stringify(name)}`);
    return sheet;
  }

  async readSheet(uploadId: string, frameId: string): Promise<Table> {
    const key = `u:${uploadId}/${frameId}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const bytes = await readFileIfExists(this.layout.sheetPath(uploadId, frameId));
    if (bytes === undefined) {
      // Deleted or promoted meanwhile, or a missing file under a live manifest (corruption).
      if (this.load(uploadId) === undefined) throw uploadNotFound(uploadId);
      throw corruptData(`upload ${uploadId}: sheet file is missing`);
    }
    const table = this.codec.decode(bytes);
    this.cache.set(key, table, tableMemoryBytes(table));
    return table;
  }

  private remember(uploadId: string, frameId: string, table: Table): void {
    if (this.codec.options.serialization === 'arrow') {
      this.cache.set(`u:${uploadId}/${frameId}`, table, tableMemoryBytes(table));
    }
  }

  /** Deletes an upload's folder in one rename; false when it did not exist. */
  async remove(uploadId: string): Promise<boolean> {
    this.cache.deletePrefix(`u:${uploadId}/`);
    return removeTree(this.layout.uploadDir(uploadId), this.layout.trashDir);
  }

  async expire(uploadId: string): Promise<boolean> {
    try {
      return await this.locks.run(
        this.layout.lockTarget('upload', uploadId),
        async () => {
          const manifest = this.load(uploadId);
          if (manifest !== undefined && Date.parse(manifest.expiresAt) > Date.now()) return false;
          return this.remove(uploadId);
        },
        { leaf: true, retryCount: 0 },
      );
    } catch (error) {
      // Best effort without waiting: a busy upload is left for the next access or sweep.
      if ((error as { code?: string }).code !== 'LOCK_TIMEOUT') {
        this.logger.warn({ err: error, uploadId }, 'could not remove an expired upload');
      }
      return false;
    }
  }
}

export const sheetInfo = (name: string, table: Table, bytes: number): SheetInfo => ({
  name,
  rows: table.numRows,
  columns: table.numCols,
  bytes,
});
