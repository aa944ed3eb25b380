import type { Table } from 'apache-arrow';
import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { SessionSnapshot, StorageBackend } from '../../src/contract/storage-backend.js';
import { diffSnapshots, uploadFingerprint } from '../../src/transfer/snapshot-compare.js';
import { makeRealisticTable, makeSmallTable } from '../helpers/tables.js';

/** Environment for a test: its own STORAGE_DIR, and its own Redis (a test-owned server) when given. */
export function testEnv(
  storageDir: string,
  redisUrl?: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    STORAGE_DIR: storageDir,
    LOG_LEVEL: 'silent',
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...extra,
  };
}

export async function openLocal(
  storageDir: string,
  extra: Record<string, string> = {},
): Promise<InMemoryBackend> {
  return InMemoryBackend.open(loadConfig(testEnv(storageDir, undefined, extra)), { sweepIntervalMs: 0 });
}

/**
 * A session with everything a migration must carry: several versions, an undo (so a redo entry exists),
 * a labelled snapshot, extra audit entries, marks and metadata.
 */
export async function makeRichSession(backend: StorageBackend, base: Table, label: string): Promise<string> {
  const { sessionId } = await backend.createSession(base, {
    filename: `${label}.csv`,
    metadata: { label, owner: 'tests', nested: { a: 1 } },
    user: 'alice',
  });
  const edited = base.slice(0, Math.max(1, base.numRows - 1));
  await backend.updateDataFrame(sessionId, edited, {
    operation: 'drop_last_row',
    details: { by: label },
    user: 'alice',
  });
  await backend.createVersion(sessionId, `${label} checkpoint`);
  await backend.updateDataFrame(sessionId, base.slice(0, Math.max(1, base.numRows - 2)), {
    operation: 'drop_two',
  });
  await backend.undoLastChange(sessionId);
  await backend.addAuditEntry(sessionId, { operation: 'note', details: { text: 'reviewed' }, user: 'bob' });
  await backend.markIntentionalMissingBatch(sessionId, [
    { row: 0, column: base.schema.fields[0]!.name, reason: 'unknown' },
    { row: 1, column: base.schema.fields[1]!.name },
  ]);
  await backend.updateMetadata(sessionId, { reviewed: true });
  return sessionId;
}

/** A mixed set: small sessions with full histories, 100k-row sessions, and two multi-sheet temp uploads. */
export async function makeMixedSet(backend: StorageBackend, opts: { small: number; large: number }) {
  const sessions: string[] = [];
  for (let i = 0; i < opts.small; i++)
    sessions.push(await makeRichSession(backend, makeSmallTable(5 + i), `small-${i}`));
  // 100k rows of every column kind (10 columns keeps table generation affordable under Jest).
  for (let i = 0; i < opts.large; i++) {
    sessions.push(await makeRichSession(backend, makeRealisticTable(100_000, 10, 7 + i), `large-${i}`));
  }
  const uploads: string[] = [];
  for (let i = 0; i < 2; i++) {
    const info = await backend.storeTempSheets(
      { first: makeSmallTable(3), second: makeRealisticTable(50, 10, i) },
      { filename: `book-${i}.xlsx` },
    );
    uploads.push(info.uploadId);
  }
  return { sessions, uploads };
}

/** Exports a session from both stores and lists the fields that differ (empty when identical). */
export async function sessionDiff(a: StorageBackend, b: StorageBackend, id: string): Promise<string[]> {
  const [left, right]: [SessionSnapshot, SessionSnapshot] = await Promise.all([
    a.exportSession(id),
    b.exportSession(id),
  ]);
  return diffSnapshots(left, right);
}

/** True when both stores hold the same temp upload (sheets, order, bytes). */
export async function sameUpload(a: StorageBackend, b: StorageBackend, id: string): Promise<boolean> {
  const [left, right] = await Promise.all([a.exportTempUpload(id), b.exportTempUpload(id)]);
  return uploadFingerprint(left) === uploadFingerprint(right);
}
