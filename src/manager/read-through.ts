import { isStorageError } from '../contract/errors.js';
import type { StorageBackend } from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';
import { transferSession } from '../transfer/session-transfer.js';
import { transferTempUpload } from '../transfer/upload-transfer.js';

/** What a storage call is about: the session or upload whose absence triggers read-through. */
export interface CallTarget {
  kind: 'session' | 'upload';
  id: string;
}

/** True when `error` says the target is not in the store that answered. */
export function isMissFor(error: unknown, target: CallTarget | undefined): boolean {
  if (target === undefined) return false;
  return isStorageError(error, target.kind === 'session' ? 'SESSION_NOT_FOUND' : 'UPLOAD_NOT_FOUND');
}

/**
 * Read-through after a flag flip (§8): the active store missed an id, so look in the other store and move
 * it over — whole history, verified, the other copy deleted afterwards — then the caller retries once.
 * Concurrent misses on one id share one move.
 */
export class ReadThrough {
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly logger: Logger,
    private readonly maxVersions: number,
  ) {}

  /** Moves `target` from `secondary` into `active`. True when `active` now has it. Never throws. */
  pull(target: CallTarget, secondary: StorageBackend, active: StorageBackend): Promise<boolean> {
    const key = `${target.kind}:${target.id}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.move(target, secondary, active).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async move(
    target: CallTarget,
    secondary: StorageBackend,
    active: StorageBackend,
  ): Promise<boolean> {
    const started = performance.now();
    try {
      const opts = { deleteSource: true, maxVersions: this.maxVersions };
      const result =
        target.kind === 'session'
          ? await transferSession(secondary, active, target.id, opts)
          : await transferTempUpload(secondary, active, target.id, opts);
      if (result.outcome === 'skipped-missing') return false;
      if (result.outcome === 'conflict') {
        this.logger.warn(
          { ...target, from: secondary.backendType },
          'read-through: both stores hold a different copy',
        );
        return true;
      }
      this.logger.info(
        {
          ...target,
          from: secondary.backendType,
          to: active.backendType,
          outcome: result.outcome,
          bytes: result.bytes,
          ms: Math.round(performance.now() - started),
        },
        'read-through: moved on first access',
      );
      return true;
    } catch (error) {
      // The secondary is best effort: the active store's answer (not found) stands.
      this.logger.warn(
        {
          ...target,
          from: secondary.backendType,
          err: error instanceof Error ? error.message : String(error),
        },
        'read-through: could not move from the other store',
      );
      return false;
    }
  }
}
