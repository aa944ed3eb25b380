import { isStorageError, StorageError } from '../contract/errors.js';
import { assertValidId } from '../contract/ids.js';
import type { StorageBackend, TempUploadSnapshot } from '../contract/storage-backend.js';
import type { TransferOptions, TransferOutcome, TransferResult } from './session-transfer.js';
import { uploadBytes, uploadFingerprint } from './snapshot-compare.js';

async function exportUploadIfPresent(
  backend: StorageBackend,
  uploadId: string,
): Promise<TempUploadSnapshot | undefined> {
  try {
    return await backend.exportTempUpload(uploadId);
  } catch (error) {
    if (isStorageError(error, 'UPLOAD_NOT_FOUND')) return undefined;
    throw error;
  }
}

/**
 * Copies one temp upload (every sheet as stored bytes, filename, remaining TTL), verified by re-reading.
 * Uploads are immutable once stored, so no lock is needed: a different upload under the same id on the
 * target is a `conflict` and is left alone. Outcomes and options as for transferSession.
 */
export async function transferTempUpload(
  from: StorageBackend,
  to: StorageBackend,
  uploadId: string,
  opts: TransferOptions = {},
): Promise<TransferResult> {
  assertValidId(uploadId, 'upload');
  const dryRun = opts.dryRun === true;
  const done = (outcome: TransferOutcome, bytes: number, sourceDeleted = false): TransferResult => ({
    id: uploadId,
    outcome,
    bytes,
    sourceDeleted,
    dryRun,
  });

  const source = await exportUploadIfPresent(from, uploadId);
  if (source === undefined) return done('skipped-missing', 0);
  const expected = uploadFingerprint(source);
  const target = await exportUploadIfPresent(to, uploadId);
  if (target !== undefined && uploadFingerprint(target) !== expected) return done('conflict', 0);
  const outcome: TransferOutcome = target === undefined ? 'moved' : 'identical';
  const bytes = outcome === 'moved' ? uploadBytes(source) : 0;
  if (dryRun) return done(outcome, bytes);

  if (outcome === 'moved') {
    await to.importTempUpload(source, { overwrite: false });
    const written = await to.exportTempUpload(uploadId);
    if (uploadFingerprint(written) !== expected) {
      throw new StorageError(
        'CORRUPT_DATA',
        `upload ${uploadId}: the copy in ${to.backendType} differs from the source`,
      );
    }
  }
  if (opts.deleteSource !== true) return done(outcome, bytes);
  return done(outcome, bytes, await from.deleteTemp(uploadId));
}
