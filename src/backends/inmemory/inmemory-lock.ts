import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { StorageError } from '../../contract/errors.js';
import type { LockOptions } from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import { acquireWithRetry, type LockPlan, lockPlan } from '../../session/lock-backoff.js';

/** What one holder of a lock knows; shared by everything that runs inside its withLock. */
export interface LockContext {
  readonly target: string;
  /** Session revision seen at acquisition and after our own commits; a mismatch means someone else wrote. */
  rev: string | undefined;
  /** Set when proper-lockfile finds our lock taken over (we stalled past its staleness). */
  compromised: boolean;
  released: boolean;
  /** Serializes the store operations issued inside one withLock, so they never interleave. */
  tail: Promise<unknown>;
}

export interface LockDefaults {
  ttlMs: number;
  retryCount: number;
  retryDelayMs: number;
}

/** The revision a fenced holder remembers when the session did not exist at acquisition. */
export const ABSENT_REV = '-';

/** Module-wide, so two backend instances in one process over the same directory also exclude each other. */
const heldInProcess = new Set<string>();
const contexts = new AsyncLocalStorage<ReadonlyMap<string, { ctx: LockContext; inLeaf: boolean }>>();

/** What a lock target guards, for messages: `locks/s-<id>` is session <id>, `locks/u-<id>` upload <id>. */
const lockSubject = (target: string): string => {
  const name = path.basename(target);
  return `${name.startsWith('u-') ? 'upload' : 'session'} ${name.slice(2)}`;
};

/**
 * Exclusive locks across processes (a proper-lockfile directory per id, with stale-lock recovery and a lease
 * refreshed while held) and within this process (a held-set, so local contenders back off without touching
 * the disk). An AsyncLocalStorage context makes store calls made inside `withLock` re-entrant.
 */
export class FileLocks {
  constructor(
    private readonly locksDir: string,
    private readonly defaults: LockDefaults,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs `fn` holding `target`. Leaf operations (single store reads/writes) issued inside a held lock are
   * queued one after another, except when issued from inside another leaf of the same chain (that one is
   * already the head of the queue; queuing behind it would deadlock). A nested withLock just runs.
   */
  async run<T>(
    target: string,
    fn: (ctx: LockContext) => Promise<T>,
    opts: LockOptions & { leaf: boolean },
  ): Promise<T> {
    // A user's withLock gets the shared limits and defaults (docs/semantics.md); the store's own short leaf
    // locks keep its tuning.
    const plan = opts.leaf
      ? {
          ttlMs: opts.ttlMs ?? this.defaults.ttlMs,
          retryCount: opts.retryCount ?? this.defaults.retryCount,
          retryDelayMs: opts.retryDelayMs ?? this.defaults.retryDelayMs,
        }
      : lockPlan(opts, this.defaults);
    const held = contexts.getStore()?.get(target);
    if (held !== undefined && !held.ctx.released) {
      const { ctx } = held;
      if (!opts.leaf || held.inLeaf) return fn(ctx);
      const result = ctx.tail.then(() => this.scoped(target, ctx, true, fn));
      ctx.tail = result.catch(() => undefined);
      return result;
    }
    const { ctx, release } = await this.acquire(target, plan);
    try {
      return await this.scoped(target, ctx, opts.leaf, fn);
    } finally {
      await ctx.tail;
      ctx.released = true;
      if (!ctx.compromised) {
        try {
          release();
        } catch (error) {
          this.logger.warn({ err: error, target }, 'releasing a session lock failed');
        }
      }
      heldInProcess.delete(target);
    }
  }

  /** Runs fn with `target` recorded as held (and whether inside a leaf) for everything it calls. */
  private scoped<T>(target: string, ctx: LockContext, inLeaf: boolean, fn: (ctx: LockContext) => Promise<T>) {
    const scope = new Map(contexts.getStore() ?? []);
    scope.set(target, { ctx, inLeaf });
    return contexts.run(scope, () => fn(ctx));
  }

  private acquire(target: string, plan: LockPlan): Promise<{ ctx: LockContext; release: () => void }> {
    const ctx: LockContext = {
      target,
      rev: undefined,
      compromised: false,
      released: false,
      tail: Promise.resolve(),
    };
    return acquireWithRetry(lockSubject(target), plan, () => {
      if (heldInProcess.has(target)) return undefined;
      heldInProcess.add(target);
      try {
        return { ctx, release: this.lockFile(target, ctx, plan.ttlMs) };
      } catch (error) {
        heldInProcess.delete(target);
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
        throw new StorageError('BACKEND_UNAVAILABLE', 'could not create a lock file under STORAGE_DIR', {
          cause: error,
        });
      }
    });
  }

  /** One non-blocking attempt. Sync calls: the uncontended path is a few syscalls, cheaper than async hops. */
  private lockFile(target: string, ctx: LockContext, ttlMs: number): () => void {
    const options = {
      realpath: false,
      stale: ttlMs,
      retries: 0,
      onCompromised: (error: Error) => {
        ctx.compromised = true;
        this.logger.warn({ err: error, target }, 'session lock was taken over after going stale');
      },
    };
    try {
      return lockfile.lockSync(target, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fs.mkdirSync(this.locksDir, { recursive: true });
      return lockfile.lockSync(target, options);
    }
  }
}

/**
 * Fencing check before a commit: refuse when the lock was lost or someone else committed meanwhile. A foreign
 * commit proves our lock was taken over, so it is marked lost and never "released" (that would delete the
 * new holder's lock directory).
 */
export function assertFenced(ctx: LockContext, currentRev: string | undefined): void {
  if (ctx.rev !== undefined && ctx.rev !== currentRev) ctx.compromised = true;
  if (ctx.compromised) {
    throw new StorageError('STALE_WRITE', 'the session lock was lost to another writer; write refused');
  }
}
