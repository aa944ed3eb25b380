import type { StorageStats } from '../contract/storage-backend.js';
import type { EngineContext } from './engine-context.js';
import { liveUpload } from './engine-uploads.js';
import { storedBytes } from './store.js';

const PAGE = 1000;

/**
 * Counts and stored bytes, defined once for every store: live sessions, live temp uploads, and the bytes of
 * the blobs they name as stored (each chunk once per session, whatever number of versions share it; sheets
 * of uploads). Audit logs, marks and metadata are not counted. Walks both listings.
 */
export async function storageStats(
  ctx: EngineContext,
): Promise<Pick<StorageStats, 'sessions' | 'tempUploads' | 'bytesStored'>> {
  let sessions = 0;
  let tempUploads = 0;
  let bytesStored = 0;
  let cursor: string | undefined;
  do {
    const page = await ctx.store.list({ limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
    sessions += page.sessions.length;
    for (const { record } of page.sessions) bytesStored += storedBytes(record);
    cursor = page.cursor;
  } while (cursor !== undefined);
  do {
    const page = await ctx.uploads.list({ limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
    for (const upload of page.uploads) {
      if (liveUpload(upload) === undefined) continue;
      tempUploads += 1;
      for (const sheet of upload.sheets) bytesStored += sheet.info.bytes;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { sessions, tempUploads, bytesStored };
}
