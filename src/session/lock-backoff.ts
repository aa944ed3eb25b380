import { invalidInput, StorageError } from '../contract/errors.js';
import type { LockOptions } from '../contract/storage-backend.js';
import {
  DEFAULT_LOCK_RETRY_DELAY_MS,
  LOCK_RETRY_COUNT_MAX,
  LOCK_RETRY_DELAY_MAX_MS,
  LOCK_RETRY_DELAY_MIN_MS,
  LOCK_TTL_MAX_MS,
  LOCK_TTL_MIN_MS,
  MAX_LOCK_BACKOFF_MS,
} from './limits.js';

/** Lock options after validation and defaults: the same numbers on every backend. */
export interface LockPlan {
  ttlMs: number;
  retryCount: number;
  retryDelayMs: number;
}

function bounded(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalidInput(`lock option ${name} must be an integer between ${min} and ${max}`);
  return value;
}

/** Validates withLock options (INVALID_INPUT before any I/O) and fills in the configured defaults. */
export function lockPlan(opts: unknown, defaults: { ttlMs: number; retryCount: number }): LockPlan {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    throw invalidInput('lock options must be an object');
  const o = opts as LockOptions;
  return {
    ttlMs: bounded(o.ttlMs, defaults.ttlMs, 'ttlMs', LOCK_TTL_MIN_MS, LOCK_TTL_MAX_MS),
    retryCount: bounded(o.retryCount, defaults.retryCount, 'retryCount', 0, LOCK_RETRY_COUNT_MAX),
    retryDelayMs: bounded(
      o.retryDelayMs,
      DEFAULT_LOCK_RETRY_DELAY_MS,
      'retryDelayMs',
      LOCK_RETRY_DELAY_MIN_MS,
      LOCK_RETRY_DELAY_MAX_MS,
    ),
  };
}

/** Full-jitter exponential backoff: contenders spread out instead of retrying in lockstep. */
export function lockBackoffMs(attempt: number, baseMs: number): number {
  return Math.random() * Math.min(MAX_LOCK_BACKOFF_MS, baseMs * 2 ** attempt);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Tries `tryOnce` (undefined: someone else holds the lock) until it returns a lease, backing off between
 * attempts as the plan says; LOCK_TIMEOUT after the last one. Other failures of `tryOnce` pass through.
 */
export async function acquireWithRetry<L>(
  what: string,
  plan: Pick<LockPlan, 'retryCount' | 'retryDelayMs'>,
  tryOnce: () => Promise<L | undefined> | L | undefined,
): Promise<L> {
  for (let attempt = 0; ; attempt += 1) {
    const lease = await tryOnce();
    if (lease !== undefined) return lease;
    if (attempt >= plan.retryCount) {
      throw new StorageError(
        'LOCK_TIMEOUT',
        `${what} is locked by another writer; gave up after ${attempt + 1} attempts`,
        { details: { attempts: attempt + 1 } },
      );
    }
    await sleep(lockBackoffMs(attempt, plan.retryDelayMs));
  }
}
