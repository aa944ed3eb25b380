import { StorageError } from '../contract/errors.js';
import type { BackendType, StorageBackend } from '../contract/storage-backend.js';
import { type ItemKind, MigrationState } from './migration-state.js';
import { type TransferOutcome, transferSession } from './session-transfer.js';
import { transferTempUpload } from './upload-transfer.js';

export interface MigrationOptions {
  from: StorageBackend;
  to: StorageBackend;
  /** Report what would move; write nothing (not even the state file). */
  dryRun?: boolean;
  /** Delete each source item after its verified copy. */
  deleteSource?: boolean;
  /** Items transferred at once. Default 4. */
  concurrency?: number;
  /** Resume file: items recorded there are skipped; finished items are appended. */
  stateFile?: string;
  /** Stops starting new items once aborted (items under way finish). */
  signal?: AbortSignal;
  /** Stop after this many items were processed in this run (a partial run; resume later). */
  maxItems?: number;
  /** Called once the work list is known. */
  onStart?: (info: { total: number; alreadyDone: number }) => void;
  /** Called after every item. Must not throw. */
  onItem?: (item: MigrationItemResult, progress: { done: number; total: number }) => void;
}

export interface MigrationItemResult {
  kind: ItemKind;
  id: string;
  outcome: TransferOutcome | 'failed';
  bytes: number;
  error?: { code: string; message: string };
}

export interface MigrationFailure {
  kind: ItemKind;
  id: string;
  code: string;
  message: string;
}

export interface MigrationSummary {
  from: BackendType;
  to: BackendType;
  dryRun: boolean;
  /** Items found in the source at the start. */
  total: number;
  /** Skipped because an earlier run (state file) finished them. */
  alreadyDone: number;
  moved: number;
  identical: number;
  skippedMissing: number;
  targetNewer: number;
  conflicts: number;
  /** Everything that did not end in a safe state (conflicts included), with reasons. */
  failed: MigrationFailure[];
  sourceDeleted: number;
  bytes: number;
  seconds: number;
  /** True when the run stopped early (signal or maxItems); rerun with the same state file to finish. */
  interrupted: boolean;
}

const PAGE = 500;

/** Every live session id and temp upload id of a store, listed completely before anything moves. */
export async function listAllItems(backend: StorageBackend): Promise<{ kind: ItemKind; id: string }[]> {
  const items: { kind: ItemKind; id: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.listSessions({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const info of page.sessions) items.push({ kind: 'session', id: info.sessionId });
    cursor = page.cursor;
  } while (cursor);
  do {
    const page = await backend.listTempUploads({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const info of page.uploads) items.push({ kind: 'upload', id: info.uploadId });
    cursor = page.cursor;
  } while (cursor);
  // A store may list an id twice while it changes under a cursor scan; moving it twice is harmless but noisy.
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(`${item.kind}:${item.id}`) && seen.add(`${item.kind}:${item.id}`));
}

/**
 * Moves every live session and temp upload from one store to another through the transfer primitive:
 * resumable (state file), idempotent (identical items are skipped), verified, bounded concurrency.
 * Never throws for a single item: failures are collected in the summary.
 */
export async function runMigration(opts: MigrationOptions): Promise<MigrationSummary> {
  const { from, to } = opts;
  if (from === to) throw new StorageError('INVALID_INPUT', 'migration source and target are the same store');
  const started = performance.now();
  const dryRun = opts.dryRun === true;
  const state = await MigrationState.open(dryRun ? undefined : opts.stateFile, {
    from: from.backendType,
    to: to.backendType,
  });
  const summary: MigrationSummary = {
    from: from.backendType,
    to: to.backendType,
    dryRun,
    total: 0,
    alreadyDone: 0,
    moved: 0,
    identical: 0,
    skippedMissing: 0,
    targetNewer: 0,
    conflicts: 0,
    failed: [],
    sourceDeleted: 0,
    bytes: 0,
    seconds: 0,
    interrupted: false,
  };
  try {
    const all = await listAllItems(from);
    const todo = all.filter((item) => !state.has(item.kind, item.id));
    summary.total = all.length;
    summary.alreadyDone = all.length - todo.length;
    opts.onStart?.({ total: all.length, alreadyDone: summary.alreadyDone });

    let next = 0;
    let processed = summary.alreadyDone;
    const budget = opts.maxItems ?? Number.POSITIVE_INFINITY;
    const worker = async () => {
      while (next < todo.length) {
        if (opts.signal?.aborted || next >= budget) {
          summary.interrupted = true;
          return;
        }
        const item = todo[next++]!;
        const result = await moveOne(opts, item.kind, item.id, dryRun);
        tally(summary, result);
        if (!dryRun && result.outcome !== 'failed' && result.outcome !== 'conflict') {
          await state.record(item.kind, item.id, result.outcome);
        }
        opts.onItem?.(result, { done: ++processed, total: all.length });
      }
    };
    const workers = Math.max(1, Math.min(opts.concurrency ?? 4, 64));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await state.close();
    summary.seconds = (performance.now() - started) / 1000;
  }
  return summary;
}

async function moveOne(
  opts: MigrationOptions,
  kind: ItemKind,
  id: string,
  dryRun: boolean,
): Promise<MigrationItemResult & { sourceDeleted?: boolean }> {
  const transfer = kind === 'session' ? transferSession : transferTempUpload;
  try {
    const result = await transfer(opts.from, opts.to, id, {
      dryRun,
      deleteSource: opts.deleteSource === true,
    });
    return { kind, id, outcome: result.outcome, bytes: result.bytes, sourceDeleted: result.sourceDeleted };
  } catch (error) {
    const code = error instanceof StorageError ? error.code : 'BACKEND_UNAVAILABLE';
    const message = error instanceof Error ? error.message : String(error);
    return { kind, id, outcome: 'failed', bytes: 0, error: { code, message } };
  }
}

function tally(summary: MigrationSummary, result: MigrationItemResult & { sourceDeleted?: boolean }): void {
  summary.bytes += result.bytes;
  if (result.sourceDeleted) summary.sourceDeleted++;
  switch (result.outcome) {
    case 'moved':
      summary.moved++;
      return;
    case 'identical':
      summary.identical++;
      return;
    case 'skipped-missing':
      summary.skippedMissing++;
      return;
    case 'target-newer':
      summary.targetNewer++;
      return;
    case 'conflict':
    case 'merged':
      summary.conflicts++;
      summary.failed.push({
        kind: result.kind,
        id: result.id,
        code: 'STALE_WRITE',
        message:
          'the copies differ (history, marks or metadata) and neither contains the other; left both untouched (resolve with export/import)',
      });
      return;
    case 'failed':
      summary.failed.push({
        kind: result.kind,
        id: result.id,
        code: result.error?.code ?? 'BACKEND_UNAVAILABLE',
        message: result.error?.message ?? 'failed',
      });
  }
}
