import Redlock, { ExecutionError, type Lock, ResourceLockedError } from 'redlock';
import { invalidInput } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';
import type { LockOptions } from '../../contract/storage-backend.js';
import { acquireWithRetry, type LockPlan, lockPlan } from '../../session/lock-backoff.js';
import { backendUnavailable } from './redis-client.js';
import type { LockScope, RedisContext } from './redis-context.js';

/**
 * Session locks over redlock 5.0.0-beta.2. Its `using()` auto-extension has known bugs (redlock #274, #276,
 * #312), so acquire / extend / release are driven here: one attempt per acquire call with our own backoff,
 * and a timer that extends the lease every TTL/3 while fn runs. Exclusivity is backed by fencing: the session
 * version seen at acquisition is what every mutation inside fn must find (STALE_WRITE otherwise), so a holder
 * that was paused past its lease cannot overwrite a newer writer.
 */
export class RedisLocks {
  private readonly redlock: Redlock;

  /** The fencing token source: the session's version now, or null when there is no such session. */
  versionOf: (id: string) => Promise<number | null> = async () => null;

  constructor(private readonly ctx: RedisContext) {
    this.redlock = new Redlock([ctx.client], { retryCount: 0, driftFactor: 0.01 });
    // Redlock emits every failed vote (including "resource locked"); outcomes are handled where they return.
    this.redlock.on('error', () => undefined);
  }

  async withLock<T>(id: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    assertValidId(id);
    this.ctx.ensureOpen();
    if (typeof fn !== 'function') throw invalidInput('withLock needs a function');
    const held = this.ctx.scopes.getStore();
    // Re-entrant: a nested withLock on a session this context already holds just runs.
    if (held?.has(id)) return fn();
    const { config } = this.ctx;
    const plan = lockPlan(opts, { ttlMs: config.lockTtlMs, retryCount: config.lockRetryCount });
    const ttl = plan.ttlMs;
    let lock = await this.acquire(id, plan);
    const scope: LockScope = { token: lock.value, version: null, lost: false };
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const extend = async (): Promise<void> => {
      if (stopped) return;
      try {
        lock = await lock.extend(ttl);
      } catch {
        // A transient failure with lease left: try again soon. Otherwise the lease is gone.
        if (!stopped && lock.expiration > Date.now() + ttl / 10) {
          timer = setTimeout(extend, Math.max(ttl / 10, 5));
          return;
        }
        scope.lost = true;
        this.ctx.logger.warn({ sessionId: id }, 'session lock lease lost while held; its writes are refused');
        return;
      }
      if (!stopped) timer = setTimeout(extend, ttl / 3);
    };
    try {
      scope.version = await this.versionOf(id);
      timer = setTimeout(extend, ttl / 3);
      const scopes = new Map(held ?? []);
      scopes.set(id, scope);
      return await this.ctx.scopes.run(scopes, fn);
    } finally {
      stopped = true;
      clearTimeout(timer);
      await lock.release().catch(() => undefined);
    }
  }

  private acquire(id: string, plan: LockPlan): Promise<Lock> {
    const resource = this.ctx.keys.lock(id);
    return acquireWithRetry(`session ${id}`, plan, async () => {
      this.ctx.ensureOpen();
      try {
        return await this.redlock.acquire([resource], plan.ttlMs);
      } catch (error) {
        const { contention, cause } = await classify(error);
        if (!contention) throw backendUnavailable('redis lock failed', cause, this.ctx.secrets);
        return undefined;
      }
    });
  }
}

/** Whether an acquire failed only because someone else holds the lock, and otherwise the Redis error. */
async function classify(error: unknown): Promise<{ contention: boolean; cause: unknown }> {
  if (!(error instanceof ExecutionError)) return { contention: false, cause: error };
  const attempt = error.attempts[error.attempts.length - 1];
  if (attempt === undefined) return { contention: false, cause: error };
  const votes = [...(await attempt).votesAgainst.values()];
  const other = votes.find((vote) => !(vote instanceof ResourceLockedError));
  return { contention: votes.length > 0 && other === undefined, cause: other ?? error };
}
