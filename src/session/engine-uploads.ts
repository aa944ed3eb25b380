import type { Table } from 'apache-arrow';
import { corruptData, StorageError, uploadNotFound } from '../contract/errors.js';
import { newId } from '../contract/ids.js';
import type {
  ImportOptions,
  ListSessionsOptions,
  ListTempUploadsResult,
  StoreTempOptions,
  TempUploadInfo,
  TempUploadSnapshot,
} from '../contract/storage-backend.js';
import type { EngineContext } from './engine-context.js';
import { checkUploadSnapshot } from './snapshot-schema.js';
import type { UploadRecord, UploadSheet } from './store.js';
import * as check from './validate.js';

/**
 * Temp uploads (docs/semantics.md, "Temp uploads"): a waiting room of immutable sheets with a fixed lifetime
 * (reading does not slide it). One rule for every store: an upload past its expiry is missing, whatever the
 * store still holds of it.
 */

/** The upload when it is live, else undefined. */
export const liveUpload = (record: UploadRecord | undefined): UploadRecord | undefined =>
  record !== undefined && record.expiresAtMs > Date.now() ? record : undefined;

export const toUploadInfo = (record: UploadRecord): TempUploadInfo => ({
  uploadId: record.uploadId,
  ...(record.filename ? { filename: record.filename } : {}),
  createdAt: record.createdAt,
  expiresAt: new Date(record.expiresAtMs).toISOString(),
  sheets: record.sheets.map((sheet) => ({ ...sheet.info })),
});

/** The live upload or UPLOAD_NOT_FOUND. */
async function openUpload(ctx: EngineContext, uploadId: string): Promise<UploadRecord> {
  const record = liveUpload(await ctx.uploads.load(uploadId));
  if (record === undefined) throw uploadNotFound(uploadId);
  return record;
}

/** The named sheet of a live upload, or UPLOAD_NOT_FOUND. */
export function findSheet(record: UploadRecord | undefined, uploadId: string, name: string): UploadSheet {
  if (record === undefined) throw uploadNotFound(uploadId);
  const sheet = record.sheets.find((candidate) => candidate.info.name === name);
  if (sheet === undefined) {
    throw new StorageError('UPLOAD_NOT_FOUND', `upload ${uploadId} has no sheet ${JSON.stringify(name)}`);
  }
  return sheet;
}

export async function storeTempSheets(
  ctx: EngineContext,
  sheets: Record<string, Table>,
  opts: StoreTempOptions,
): Promise<TempUploadInfo> {
  check.assertUploadSheets(sheets);
  check.assertStoreOptions(opts);
  // Everything is encoded before anything is written: PAYLOAD_TOO_LARGE leaves no trace.
  const encoded = Object.entries(sheets).map(([name, table]) => {
    const bytes = ctx.codec.encode(table);
    return { info: { name, rows: table.numRows, columns: table.numCols, bytes: bytes.length }, bytes, table };
  });
  const ttlSeconds = opts.ttlSeconds ?? ctx.tempTtlSeconds;
  const now = Date.now();
  const record = await ctx.uploads.put(
    {
      uploadId: newId(),
      ...(opts.filename ? { filename: opts.filename } : {}),
      createdAt: new Date(now).toISOString(),
      ttlSeconds,
      expiresAtMs: now + ttlSeconds * 1000,
      sheets: encoded,
    },
    { overwrite: false },
  );
  return toUploadInfo(record);
}

export async function listTempSheets(ctx: EngineContext, uploadId: string): Promise<TempUploadInfo> {
  return toUploadInfo(await openUpload(ctx, uploadId));
}

/**
 * Reads sheet blobs of one record of the upload. Blobs are immutable, but the upload may go (deleted,
 * promoted, replaced by an import) between reading its record and its bytes: a blob is missing for good only
 * while the live record still names it.
 */
async function readSheets<T>(
  ctx: EngineContext,
  uploadId: string,
  pick: (record: UploadRecord) => UploadSheet[],
  read: (sheet: UploadSheet) => Promise<T | undefined>,
): Promise<{ record: UploadRecord; values: T[] }> {
  let record = await openUpload(ctx, uploadId);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const sheets = pick(record);
    const values: T[] = [];
    for (const sheet of sheets) {
      const value = await read(sheet);
      if (value === undefined) break;
      values.push(value);
    }
    if (values.length === sheets.length) return { record, values };
    record = await openUpload(ctx, uploadId);
    const again = pick(record);
    if (again.every((sheet, index) => sheet.frameId === sheets[index]?.frameId)) {
      throw corruptData(`upload ${uploadId}: a sheet's frame is missing`);
    }
  }
  throw new StorageError('BACKEND_UNAVAILABLE', `upload ${uploadId} kept changing while being read`);
}

export async function getTempSheet(ctx: EngineContext, uploadId: string, name: string): Promise<Table> {
  check.assertSheetName(name);
  const pick = (record: UploadRecord) => [findSheet(record, uploadId, name)];
  const { values } = await readSheets(ctx, uploadId, pick, (sheet) => ctx.uploads.readSheet(uploadId, sheet));
  return values[0] as Table;
}

export function deleteTemp(ctx: EngineContext, uploadId: string): Promise<boolean> {
  return ctx.uploads.remove(uploadId);
}

export async function listTempUploads(
  ctx: EngineContext,
  opts: ListSessionsOptions,
): Promise<ListTempUploadsResult> {
  check.listLimit(opts);
  const page = await ctx.uploads.list(opts);
  const uploads = page.uploads.flatMap((record) => {
    const live = liveUpload(record);
    return live === undefined ? [] : [toUploadInfo(live)];
  });
  return page.cursor === undefined ? { uploads } : { uploads, cursor: page.cursor };
}

/** Every sheet as stored bytes, from one record of the upload; does not slide its expiry (nothing does). */
export async function exportTempUpload(ctx: EngineContext, uploadId: string): Promise<TempUploadSnapshot> {
  const { record, values } = await readSheets(
    ctx,
    uploadId,
    (current) => current.sheets,
    (sheet) => ctx.uploads.readSheetBytes(uploadId, sheet),
  );
  return {
    formatVersion: 1,
    uploadId,
    ...(record.filename ? { filename: record.filename } : {}),
    createdAt: record.createdAt,
    expiresAt: new Date(record.expiresAtMs).toISOString(),
    ttlSeconds: record.ttlSeconds,
    sheets: record.sheets.map((sheet, index) => ({
      info: { ...sheet.info },
      frame: values[index] as Uint8Array,
    })),
  };
}

/**
 * Writes a whole upload with its id, creation time and expiry (one that has passed stays passed: the upload
 * is not brought back). STALE_WRITE when a live one has the id, unless `overwrite`.
 */
export async function importTempUpload(
  ctx: EngineContext,
  snapshot: TempUploadSnapshot,
  opts: ImportOptions,
): Promise<TempUploadInfo> {
  const checked = checkUploadSnapshot(snapshot);
  if (!check.isPlainObject(opts)) throw new StorageError('INVALID_INPUT', 'import options must be an object');
  const record = await ctx.uploads.put(
    {
      uploadId: checked.uploadId,
      ...(checked.filename ? { filename: checked.filename } : {}),
      createdAt: checked.createdAt,
      ttlSeconds: checked.ttlSeconds,
      expiresAtMs: Date.parse(checked.expiresAt),
      sheets: checked.sheets.map(({ info, frame }) => ({
        info: { ...info, bytes: frame.byteLength },
        bytes: frame,
      })),
    },
    { overwrite: opts.overwrite === true },
  );
  return toUploadInfo(record);
}
