import { isStorageError, StorageError } from '../contract/errors.js';
import type { StorageBackend } from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';
import { transferSession } from '../transfer/session-transfer.js';
import { transferTempUpload } from '../transfer/upload-transfer.js';
import type { JournalEntry, JournalKind, WriteBackJournal } from './write-back-journal.js';

export interface WriteBackParts {
  journal: WriteBackJournal;
  local: StorageBackend;
  /** The Redis backend when connected. */
  redis: () => StorageBackend | undefined;
  maxVersions: number;
  logger: Logger;
  /** Redis stopped answering while writing back (feeds the circuit breaker). */
  onUnavailable: (error: StorageError) => void;
}

export interface DrainResult {
  written: number;
  remaining: number;
  /** Set when the drain stopped because Redis went away again. */
  interrupted: boolean;
}

/**
 * Writes sessions changed locally during a Redis outage back to Redis through the transfer primitive
 * (verified copy, local copy deleted afterwards). A session that also changed in Redis is merged keeping
 * Redis current and attaching the local frame as a `conflict` version, so neither side is lost.
 */
export class WriteBack {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly failureListeners = new Set<() => void>();
  private draining: Promise<DrainResult> | undefined;
  /** The last failure that left an entry pending, for health and logs. */
  lastError: string | undefined;

  constructor(private readonly parts: WriteBackParts) {}

  get pending(): number {
    return this.parts.journal.size;
  }

  /** True while a drain pass runs (its result, not each failure, decides the next retry). */
  get isDraining(): boolean {
    return this.draining !== undefined;
  }

  /** Writes back one id now (callers about to use it in Redis). Concurrent calls for one id share the work. */
  one(kind: JournalKind, id: string): Promise<void> {
    const key = `${kind}:${id}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.writeEntry(kind, id).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** Writes back every pending entry (two at a time). Concurrent calls share one drain. */
  drain(): Promise<DrainResult> {
    this.draining ??= this.drainAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Calls `listener` whenever an entry stays pending after a failed attempt. Returns an unsubscribe. */
  onEntryFailed(listener: () => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Resolves once no write-back is under way (used when closing). */
  async settle(): Promise<void> {
    await Promise.allSettled([this.draining, ...this.inFlight.values()]);
  }

  private async drainAll(): Promise<DrainResult> {
    await this.parts.journal.reload();
    const queue: JournalEntry[] = this.parts.journal.list();
    let written = 0;
    let interrupted = false;
    const worker = async () => {
      for (let entry = queue.shift(); entry && !interrupted; entry = queue.shift()) {
        try {
          await this.one(entry.kind, entry.id);
          written++;
        } catch (error) {
          // Redis gone or hiccuping: stop this pass (the recovery retries with backoff, or the probe resumes
          // once the circuit opened). Other failures keep their entry for the retry and the pass goes on.
          if (isStorageError(error, 'BACKEND_UNAVAILABLE')) interrupted = true;
        }
      }
    };
    await Promise.all([worker(), worker()]);
    return { written, remaining: this.parts.journal.size, interrupted };
  }

  private async writeEntry(kind: JournalKind, id: string): Promise<void> {
    const redis = this.parts.redis();
    if (redis === undefined) throw new StorageError('BACKEND_UNAVAILABLE', 'redis is not connected');
    const { local, journal, logger } = this.parts;
    try {
      const result =
        kind === 'session'
          ? await transferSession(local, redis, id, {
              deleteSource: true,
              conflict: 'merge',
              maxVersions: this.parts.maxVersions,
            })
          : await transferTempUpload(local, redis, id, { deleteSource: true });
      if (result.outcome === 'conflict') {
        // Only uploads end here (sessions merge): same id, different sheets. Keep the local one, stop retrying.
        logger.warn(
          { kind, id },
          'write-back: redis holds a different upload under this id; kept the local copy',
        );
      } else if (result.outcome === 'merged') {
        logger.warn(
          { kind, id },
          'write-back: session changed on both sides; merged, local copy attached as a version',
        );
      }
      await journal.remove(kind, id);
      logger.info({ kind, id, outcome: result.outcome, bytes: result.bytes }, 'write-back: done');
    } catch (error) {
      const storageError =
        error instanceof StorageError
          ? error
          : new StorageError('BACKEND_UNAVAILABLE', `write-back of ${kind} ${id} failed`, { cause: error });
      this.lastError = `${kind} ${id}: ${storageError.code} ${storageError.message}`;
      if (storageError.code === 'BACKEND_UNAVAILABLE') this.parts.onUnavailable(storageError);
      logger.warn({ kind, id, code: storageError.code, err: storageError.message }, 'write-back: will retry');
      for (const listener of this.failureListeners) listener();
      throw storageError;
    }
  }
}
