import fs from 'node:fs';
import { corruptData, StorageError } from '../../contract/errors.js';
import type { ImportOptions, TempUploadInfo, TempUploadSnapshot } from '../../contract/storage-backend.js';
import { newFileId } from './inmemory-commit.js';
import { readFileIfExists, removeFileQuietSync, writeImmutable } from './inmemory-files.js';
import { toUploadInfo, type UploadFiles, type UploadManifest } from './inmemory-uploads.js';

/** A consistent copy of a temp upload (under its lock), sheets as stored bytes. */
export async function exportTempUpload(uploads: UploadFiles, uploadId: string): Promise<TempUploadSnapshot> {
  return uploads.locks.run(
    uploads.layout.lockTarget('upload', uploadId),
    async () => {
      const manifest = await uploads.open(uploadId);
      const sheets: TempUploadSnapshot['sheets'] = [];
      for (const sheet of manifest.sheets) {
        const frame = await readFileIfExists(uploads.layout.sheetPath(uploadId, sheet.frameId));
        if (frame === undefined) throw corruptData(`upload ${uploadId}: sheet file is missing`);
        sheets.push({ info: { ...sheet.info }, frame });
      }
      return {
        formatVersion: 1,
        uploadId,
        ...(manifest.filename !== undefined ? { filename: manifest.filename } : {}),
        createdAt: manifest.createdAt,
        expiresAt: manifest.expiresAt,
        ttlSeconds: manifest.ttlSeconds,
        sheets,
      };
    },
    { leaf: true },
  );
}

/**
 * Writes a whole temp upload with one commit point (its manifest), keeping its id and expiry. The engine
 * checked the snapshot (session/snapshot-schema.ts).
 */
export async function importTempUpload(
  uploads: UploadFiles,
  snapshot: TempUploadSnapshot,
  opts: ImportOptions,
): Promise<TempUploadInfo> {
  const uploadId = snapshot.uploadId;
  return uploads.locks.run(
    uploads.layout.lockTarget('upload', uploadId),
    async () => {
      let previous: UploadManifest | undefined;
      try {
        previous = uploads.load(uploadId);
      } catch {
        previous = undefined; // corrupt: replaceable; stray files go with the next replacement or expiry
      }
      const live = previous !== undefined && Date.parse(previous.expiresAt) > Date.now();
      if (live && opts.overwrite !== true) {
        throw new StorageError(
          'STALE_WRITE',
          `upload ${uploadId} already exists; pass overwrite to replace it`,
        );
      }
      fs.mkdirSync(uploads.layout.sheetsDir(uploadId), { recursive: true });
      const written: string[] = [];
      try {
        const sheets: UploadManifest['sheets'] = [];
        for (const sheet of snapshot.sheets) {
          const frameId = newFileId();
          const file = uploads.layout.sheetPath(uploadId, frameId);
          written.push(file);
          await writeImmutable(file, sheet.frame);
          sheets.push({ info: { ...sheet.info, bytes: sheet.frame.byteLength }, frameId });
        }
        const manifest: UploadManifest = {
          format: 1,
          uploadId,
          ...(snapshot.filename !== undefined ? { filename: snapshot.filename } : {}),
          createdAt: snapshot.createdAt,
          expiresAt: snapshot.expiresAt,
          ttlSeconds: snapshot.ttlSeconds,
          sheets,
        };
        uploads.commit(manifest);
        for (const old of previous?.sheets ?? [])
          removeFileQuietSync(uploads.layout.sheetPath(uploadId, old.frameId));
        return toUploadInfo(manifest);
      } catch (error) {
        for (const file of written) removeFileQuietSync(file);
        throw error;
      }
    },
    { leaf: true },
  );
}
