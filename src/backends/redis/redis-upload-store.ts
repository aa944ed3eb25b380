import type { Table } from 'apache-arrow';
import { StorageError } from '../../contract/errors.js';
import type {
  ImportOptions,
  ListSessionsOptions,
  ListTempUploadsResult,
  StoreTempOptions,
  TempUploadInfo,
  TempUploadSnapshot,
} from '../../contract/storage-backend.js';
import type { UploadSheet, UploadStore } from '../../session/store.js';
import type { RedisContext } from './redis-context.js';
import { removeFromIndex } from './redis-index.js';
import { replyText } from './redis-state.js';
import { exportTempUpload, importTempUpload, listTempUploads } from './redis-upload-transfer.js';
import {
  deleteTemp,
  getTempSheet,
  listTempSheets,
  parseSheets,
  sheetInfo,
  storeTempSheets,
} from './redis-uploads.js';

/** Temp uploads on Redis as the engine's upload store; promote's delete happens in the session's commit. */
export class RedisUploadStore implements UploadStore {
  constructor(private readonly ctx: RedisContext) {}

  store(sheets: Record<string, Table>, opts: StoreTempOptions): Promise<TempUploadInfo> {
    return storeTempSheets(this.ctx, sheets, opts);
  }

  info(uploadId: string): Promise<TempUploadInfo> {
    return listTempSheets(this.ctx, uploadId);
  }

  readSheet(uploadId: string, name: string): Promise<Table> {
    return getTempSheet(this.ctx, uploadId, name);
  }

  remove(uploadId: string): Promise<boolean> {
    return deleteTemp(this.ctx, uploadId);
  }

  list(opts: ListSessionsOptions): Promise<ListTempUploadsResult> {
    return listTempUploads(this.ctx, opts);
  }

  exportUpload(uploadId: string): Promise<TempUploadSnapshot> {
    return exportTempUpload(this.ctx, uploadId);
  }

  importUpload(snapshot: TempUploadSnapshot, opts: ImportOptions): Promise<TempUploadInfo> {
    return importTempUpload(this.ctx, snapshot, opts);
  }

  /**
   * The commit of the new session copies the sheet's frame and (unless `keep`) deletes the upload in the
   * same script, so a sheet is promoted once without an upload lock.
   */
  async withSheet<R>(
    uploadId: string,
    name: string,
    keep: boolean,
    fn: (sheet: UploadSheet) => Promise<R>,
  ): Promise<R> {
    const reply = (await this.ctx.script('fsUploadInfo', [this.ctx.keys.upload(uploadId)], [], {
      id: uploadId,
      kind: 'upload',
    })) as unknown[];
    const [, filename, sheets] = reply.map(replyText);
    const sheet = parseSheets(sheets ?? '[]').find((candidate) => candidate.name === name);
    if (sheet === undefined)
      throw new StorageError('UPLOAD_NOT_FOUND', `upload ${uploadId} has no sheet ${JSON.stringify(name)}`);
    const result = await fn({
      ...(filename ? { uploadFilename: filename } : {}),
      info: sheetInfo(sheet),
      frameId: sheet.f,
      chunks: sheet.n,
    });
    if (!keep) await removeFromIndex(this.ctx, this.ctx.keys.uploadIndex, uploadId);
    return result;
  }
}
