import type { Table } from 'apache-arrow';
import { invalidInput } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';
import type {
  ListSessionsOptions,
  ListTempUploadsResult,
  PromoteOptions,
  SessionInfo,
  TempUploadInfo,
} from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import { assertCreateOptions, assertSheetName } from '../../session/validate.js';
import { createNewSession } from './inmemory-create.js';
import { pageIds } from './inmemory-maintenance.js';
import type { SessionStore } from './inmemory-sessions.js';
import { toUploadInfo, type UploadStore } from './inmemory-uploads.js';

/** Temp-upload operations of the backend: read, delete, list and promote to a session. */

export async function listTempSheets(uploads: UploadStore, uploadId: string): Promise<TempUploadInfo> {
  assertValidId(uploadId, 'upload');
  return toUploadInfo(await uploads.open(uploadId));
}

export async function getTempSheet(uploads: UploadStore, uploadId: string, name: string): Promise<Table> {
  assertValidId(uploadId, 'upload');
  assertSheetName(name);
  const sheet = uploads.findSheet(await uploads.open(uploadId), name);
  return uploads.readSheet(uploadId, sheet.frameId);
}

/** true when a live upload was deleted (an expired one is removed too, but reports false). */
export function deleteTemp(uploads: UploadStore, uploadId: string): Promise<boolean> {
  assertValidId(uploadId, 'upload');
  return uploads.locks.run(
    uploads.layout.lockTarget('upload', uploadId),
    async () => {
      let live = true;
      try {
        const manifest = uploads.load(uploadId);
        live = manifest !== undefined && Date.parse(manifest.expiresAt) > Date.now();
      } catch {
        live = true; // a corrupt upload is still something the caller deleted
      }
      return (await uploads.remove(uploadId)) && live;
    },
    { leaf: true },
  );
}

/**
 * Creates a session from one sheet and (unless keepUpload) deletes the upload, under the upload's lock so a
 * sheet is promoted once. The sheet file is hard-linked into the session: no re-encoding, no copy.
 */
export async function promoteTempSheet(
  sessions: SessionStore,
  uploads: UploadStore,
  defaultTtlSeconds: number,
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
  return uploads.locks.run(
    uploads.layout.lockTarget('upload', uploadId),
    async () => {
      const manifest = await uploads.open(uploadId);
      const sheet = uploads.findSheet(manifest, name);
      const filename =
        opts.filename ?? (manifest.filename !== undefined ? `${manifest.filename}#${name}` : name);
      const source = uploads.layout.sheetPath(uploadId, sheet.frameId);
      const frame = {
        place: (tx: { linkFrame(path: string): Promise<string> }) => tx.linkFrame(source),
        rows: sheet.info.rows,
        columns: sheet.info.columns,
        bytes: sheet.info.bytes,
      };
      const details = { uploadId, sheet: name };
      const info = await createNewSession(sessions, frame, { ...opts, filename }, defaultTtlSeconds, details);
      if (opts.keepUpload !== true) await uploads.remove(uploadId);
      return info;
    },
    { leaf: true },
  );
}

export async function listTempUploads(
  uploads: UploadStore,
  opts: ListSessionsOptions,
  logger: Logger,
): Promise<ListTempUploadsResult> {
  const page = await pageIds(uploads.layout.uploadsDir, opts, (id) => {
    try {
      const manifest = uploads.load(id);
      return manifest !== undefined && Date.parse(manifest.expiresAt) > Date.now()
        ? toUploadInfo(manifest)
        : undefined;
    } catch (error) {
      logger.warn({ err: error, uploadId: id }, 'skipping an unreadable upload');
      return undefined;
    }
  });
  return page.cursor === undefined ? { uploads: page.items } : { uploads: page.items, cursor: page.cursor };
}
