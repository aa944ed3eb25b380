import type { Table } from 'apache-arrow';
import type {
  ImportOptions,
  ListSessionsOptions,
  ListTempUploadsResult,
  StoreTempOptions,
  TempUploadInfo,
  TempUploadSnapshot,
} from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import type { UploadSheet, UploadStore } from '../../session/store.js';
import { pageIds } from './inmemory-listing.js';
import { exportTempUpload, importTempUpload } from './inmemory-upload-transfer.js';
import { toUploadInfo, type UploadFiles } from './inmemory-uploads.js';

const leaf = { leaf: true };

/** Temp uploads on disk, as the engine's upload store: read, delete, list, transfer and hand a sheet to promote. */
export class DiskUploadStore implements UploadStore {
  constructor(
    readonly files: UploadFiles,
    private readonly logger: Logger,
  ) {}

  store(sheets: Record<string, Table>, opts: StoreTempOptions): Promise<TempUploadInfo> {
    return this.files.store(sheets, opts);
  }

  async info(uploadId: string): Promise<TempUploadInfo> {
    return toUploadInfo(await this.files.open(uploadId));
  }

  async readSheet(uploadId: string, name: string): Promise<Table> {
    const sheet = this.files.findSheet(await this.files.open(uploadId), name);
    return this.files.readSheet(uploadId, sheet.frameId);
  }

  /** true when a live upload was deleted (an expired one is removed too, but reports false). */
  remove(uploadId: string): Promise<boolean> {
    return this.files.locks.run(
      this.files.layout.lockTarget('upload', uploadId),
      async () => {
        let live = true;
        try {
          const manifest = this.files.load(uploadId);
          live = manifest !== undefined && Date.parse(manifest.expiresAt) > Date.now();
        } catch {
          live = true; // a corrupt upload is still something the caller deleted
        }
        return (await this.files.remove(uploadId)) && live;
      },
      leaf,
    );
  }

  async list(opts: ListSessionsOptions): Promise<ListTempUploadsResult> {
    const page = await pageIds(this.files.layout.uploadsDir, opts, (id) => {
      try {
        const manifest = this.files.load(id);
        return manifest !== undefined && Date.parse(manifest.expiresAt) > Date.now()
          ? toUploadInfo(manifest)
          : undefined;
      } catch (error) {
        this.logger.warn({ err: error, uploadId: id }, 'skipping an unreadable upload');
        return undefined;
      }
    });
    return page.cursor === undefined ? { uploads: page.items } : { uploads: page.items, cursor: page.cursor };
  }

  exportUpload(uploadId: string): Promise<TempUploadSnapshot> {
    return exportTempUpload(this.files, uploadId);
  }

  importUpload(snapshot: TempUploadSnapshot, opts: ImportOptions): Promise<TempUploadInfo> {
    return importTempUpload(this.files, snapshot, opts);
  }

  withSheet<R>(
    uploadId: string,
    name: string,
    keep: boolean,
    fn: (sheet: UploadSheet) => Promise<R>,
  ): Promise<R> {
    return this.files.locks.run(
      this.files.layout.lockTarget('upload', uploadId),
      async () => {
        const manifest = await this.files.open(uploadId);
        const sheet = this.files.findSheet(manifest, name);
        const result = await fn({
          ...(manifest.filename !== undefined ? { uploadFilename: manifest.filename } : {}),
          info: { ...sheet.info },
          frameId: sheet.frameId,
        });
        if (!keep) await this.files.remove(uploadId);
        return result;
      },
      leaf,
    );
  }
}
