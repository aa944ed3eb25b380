import { isStorageError, StorageError } from '../contract/errors.js';
import { assertValidId } from '../contract/ids.js';
import type { SessionSnapshot, StorageBackend } from '../contract/storage-backend.js';
import { mergeConflict } from './conflict-merge.js';
import {
  diffSnapshots,
  fingerprint,
  isAncestor,
  sameFingerprint,
  snapshotBytes,
} from './snapshot-compare.js';

/**
 * What a transfer did (or, with dryRun, would do):
 * - `moved`: the target had no copy, or an older one (an ancestor of the source), and now has the source's.
 * - `identical`: the target already had exactly this session; nothing written.
 * - `skipped-missing`: the source has no such session (never existed, expired, deleted meanwhile).
 * - `target-newer`: the target's copy descends from the source's (same marks and metadata, older frame
 *   history); nothing written (never roll it back).
 * - `conflict`: both copies changed since they diverged, or their histories are ordered but their marks or
 *   metadata differ (those changes are unversioned, so either side may hold one); nothing written
 *   (conflict: 'skip').
 * - `merged`: diverged, and merged into the target with the source attached as a version (conflict: 'merge').
 */
export type TransferOutcome =
  | 'moved'
  | 'identical'
  | 'skipped-missing'
  | 'target-newer'
  | 'conflict'
  | 'merged';

export interface TransferOptions {
  /** Delete the source copy once the target is verified to hold it (or something newer). Default false. */
  deleteSource?: boolean;
  /** Read and compare only; write and delete nothing. */
  dryRun?: boolean;
  /** Diverged copies: report them (`skip`, the default) or merge keeping the target current (`merge`). */
  conflict?: 'skip' | 'merge';
  /** History cap used when merging (MAX_VERSIONS of the target). Default 5. */
  maxVersions?: number;
}

export interface TransferResult {
  id: string;
  outcome: TransferOutcome;
  /** Stored frame bytes copied (or that would be copied, in a dry run). */
  bytes: number;
  sourceDeleted: boolean;
  dryRun: boolean;
}

/** Runs `fn` holding the session lock on both stores, always in the same order so two movers never deadlock. */
export async function withBothLocks<T>(
  a: StorageBackend,
  b: StorageBackend,
  id: string,
  fn: () => Promise<T>,
): Promise<T> {
  const [first, second] = a.backendType <= b.backendType ? [a, b] : [b, a];
  return first.withLock(id, () => second.withLock(id, fn));
}

/** The session, or undefined when the store does not have it. */
export async function exportIfPresent(
  backend: StorageBackend,
  id: string,
): Promise<SessionSnapshot | undefined> {
  try {
    return await backend.exportSession(id);
  } catch (error) {
    if (isStorageError(error, 'SESSION_NOT_FOUND')) return undefined;
    throw error;
  }
}

type Plan = 'create' | 'overwrite' | 'identical' | 'target-newer' | 'conflict';

function plan(source: SessionSnapshot, target: SessionSnapshot | undefined): Plan {
  if (target === undefined) return 'create';
  if (sameFingerprint(fingerprint(source), fingerprint(target))) return 'identical';
  // Overwrite only what the source provably contains: the target's whole audit log is a prefix of the
  // source's and its marks and metadata are the source's (isAncestor checks both).
  if (isAncestor(target, source)) return 'overwrite';
  if (isAncestor(source, target)) return 'target-newer';
  return 'conflict';
}

/** Re-reads what the target now holds and compares every field that must survive the copy. */
async function verifyWritten(to: StorageBackend, expected: SessionSnapshot): Promise<void> {
  const written = await to.exportSession(expected.sessionId);
  const diffs = diffSnapshots(expected, written);
  if (diffs.length > 0) {
    throw new StorageError(
      'CORRUPT_DATA',
      `session ${expected.sessionId}: the copy in ${to.backendType} differs from the source in ${diffs.join(', ')}`,
      { details: { sessionId: expected.sessionId, fields: diffs } },
    );
  }
}

/**
 * Copies one session (current frame, history with undo/redo position, audit, marks, metadata, remaining
 * TTL) from one store to another, holding the session lock on both, verified by re-reading the target.
 * Idempotent: a second run finds the target identical and writes nothing. The source is deleted only
 * when asked, only after verification, and only if it did not change while we copied.
 */
export async function transferSession(
  from: StorageBackend,
  to: StorageBackend,
  id: string,
  opts: TransferOptions = {},
): Promise<TransferResult> {
  assertValidId(id, 'session');
  const dryRun = opts.dryRun === true;
  const done = (outcome: TransferOutcome, bytes: number, sourceDeleted = false): TransferResult => ({
    id,
    outcome,
    bytes,
    sourceDeleted,
    dryRun,
  });

  const body = async (): Promise<TransferResult> => {
    const source = await exportIfPresent(from, id);
    if (source === undefined) return done('skipped-missing', 0);
    const target = await exportIfPresent(to, id);
    const step = plan(source, target);
    const bytes = step === 'create' || step === 'overwrite' ? snapshotBytes(source) : 0;
    const outcome: TransferOutcome =
      step === 'create' || step === 'overwrite'
        ? 'moved'
        : step === 'conflict' && opts.conflict === 'merge'
          ? 'merged'
          : step;
    if (dryRun || outcome === 'conflict') return done(outcome, bytes);

    if (step === 'create' || step === 'overwrite') {
      await to.importSession(source, { overwrite: step === 'overwrite' });
      await verifyWritten(to, source);
    } else if (outcome === 'merged' && target !== undefined) {
      const merged = mergeConflict(target, source, {
        otherSource: from.backendType,
        maxVersions: opts.maxVersions ?? 5,
      });
      await to.importSession(merged, { overwrite: true });
      await verifyWritten(to, merged);
    }

    if (opts.deleteSource !== true) return done(outcome, bytes);
    // A writer that bypasses locks could have changed the source while we copied: then keep it.
    const again = await exportIfPresent(from, id);
    if (again !== undefined && !sameFingerprint(fingerprint(again), fingerprint(source))) {
      throw new StorageError(
        'STALE_WRITE',
        `session ${id} changed in ${from.backendType} during the copy; kept it`,
      );
    }
    const deleted = again !== undefined && (await from.deleteSession(id));
    return done(outcome, bytes, deleted);
  };

  // A dry run only reads: it must not contend with live writers for their locks.
  return dryRun ? body() : withBothLocks(from, to, id, body);
}
