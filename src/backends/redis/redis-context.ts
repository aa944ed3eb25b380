import { AsyncLocalStorage } from 'node:async_hooks';
import type { FrameCodec } from '../../codec/frame-codec.js';
import type { FramestoreConfig } from '../../config/load-config.js';
import {
  corruptData,
  invalidInput,
  isStorageError,
  StorageError,
  sessionNotFound,
  uploadNotFound,
} from '../../contract/errors.js';
import { randomId } from '../../contract/ids.js';
import type { Logger } from '../../logging/logger.js';
import { DEFAULT_LOCK_RETRY_DELAY_MS } from '../../session/limits.js';
import { acquireWithRetry } from '../../session/lock-backoff.js';
import type { FrameCache } from './redis-cache.js';
import { backendUnavailable, type RedisClient } from './redis-client.js';
import { InFlightLimit } from './redis-inflight.js';
import type { RedisKeys } from './redis-keys.js';
import {
  operationArg,
  runScript,
  type ScriptArg,
  type ScriptFailure,
  type ScriptName,
  scriptFailure,
} from './redis-scripts.js';
import { waitForReplicas } from './redis-wait.js';

/**
 * A write that failed after it may have reached Redis (timeout, connection lost mid-call) says so: its
 * outcome is unknown. Only a command ioredis refused to send (not connected) certainly did not run.
 */
function writeOutcome(error: StorageError, op: string | undefined, cause: unknown): StorageError {
  const notSent = cause instanceof Error && /Stream isn't writeable/.test(cause.message);
  if (op === undefined || op === '' || notSent) return error;
  return new StorageError(
    'BACKEND_UNAVAILABLE',
    `${error.message} (the write may have been applied: outcome unknown)`,
    { cause: error.cause, details: { outcome: 'unknown', operationId: op } },
  );
}

/** Scripts that write: each is followed by WAIT when REDIS_WAIT_REPLICAS is set. */
const WRITE_SCRIPTS: ReadonlySet<ScriptName> = new Set([
  'fsCommit',
  'fsDelete',
  'fsUploadPut',
  'fsUploadDelete',
]);

/** 96 random bits: unique per write call, shared by its resends. */
const newOperationId = (): string => randomId(12);

/** What withLock knows about one held session lock: its token, the fencing version, whether the lease was lost. */
export interface LockScope {
  token: string;
  version: number | null;
  lost: boolean;
}

export interface ScriptCall {
  /** The session or upload the script works on (for error messages). */
  id: string;
  /** 'upload' maps a missing hash to UPLOAD_NOT_FOUND. */
  kind?: 'session' | 'upload';
  buffers?: boolean;
  /** Turns a Lua failure into a caller-specific error; return undefined for the default mapping. */
  onFailure?: (failure: ScriptFailure) => StorageError | undefined;
}

/** Everything the Redis operation modules share: client, keys, codec, fencing scope, error mapping. */
export class RedisContext {
  readonly scopes = new AsyncLocalStorage<Map<string, LockScope>>();
  readonly limit: InFlightLimit;
  private closedFlag = false;

  constructor(
    readonly client: RedisClient,
    readonly config: FramestoreConfig,
    readonly keys: RedisKeys,
    readonly codec: FrameCodec,
    readonly secrets: readonly string[],
    readonly logger: Logger,
    /** Frames above this many bytes are stored in chunks. */
    readonly chunkBytes: number,
    readonly cache: FrameCache,
  ) {
    this.limit = new InFlightLimit(config.redis.maxConnections);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  markClosed(): void {
    this.closedFlag = true;
  }

  /** BACKEND_UNAVAILABLE once close() was called. */
  ensureOpen(): void {
    if (this.closedFlag) throw new StorageError('BACKEND_UNAVAILABLE', 'the redis backend is closed');
  }

  private lastReset = 0;

  /**
   * A command that timed out leaves its connection in doubt: a half-open link (the peer gone without a
   * reset) never answers, and TCP would only notice after many minutes. So a timeout drops the connection
   * and dials again (at most once per command timeout); commands still queued on it fail now instead of
   * timing out one by one, and every write among them reports an unknown outcome as it would anyway.
   */
  noteFailure(error: unknown): void {
    if (this.closedFlag || !(error instanceof Error) || !/timed out/i.test(error.message)) return;
    const now = Date.now();
    if (now - this.lastReset < this.config.redis.commandTimeoutMs) return;
    this.lastReset = now;
    this.logger.warn('a redis command timed out: reconnecting (the connection may be half-open)');
    this.client.disconnect(true);
  }

  /** Runs a raw command; any Redis failure becomes BACKEND_UNAVAILABLE with a sanitized cause. */
  async command<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.ensureOpen();
    try {
      return await this.limit.run(fn);
    } catch (error) {
      this.noteFailure(error);
      if (isStorageError(error)) throw error;
      throw backendUnavailable(`redis ${what} failed`, error, this.secrets);
    }
  }

  /**
   * Runs one of our Lua scripts and maps its `FSERR` failures to StorageErrors. A write that finds the session
   * locked by someone else waits for it (backoff with jitter, LOCK_RETRY_COUNT times, then LOCK_TIMEOUT);
   * inside withLock that means our lease was lost, which is STALE_WRITE.
   */
  async script(
    name: ScriptName,
    keys: readonly string[],
    args: readonly ScriptArg[],
    call: ScriptCall,
  ): Promise<unknown> {
    // One id for every attempt of this call: a resend of a write that ran returns its first outcome.
    const opArg = operationArg(name, args, newOperationId);
    const withOp = [...args, ...opArg];
    // A write that finds the session locked waits like a lock acquisition: the same retry loop and error.
    const plan = { retryCount: this.config.lockRetryCount, retryDelayMs: DEFAULT_LOCK_RETRY_DELAY_MS };
    const outcome = await acquireWithRetry(`session ${call.id}`, plan, async () => {
      this.ensureOpen();
      try {
        const result = await this.limit.run(() => runScript(this.client, name, keys, withOp, call.buffers));
        if (WRITE_SCRIPTS.has(name)) await this.replicated(keys[0] ?? '');
        return { result };
      } catch (error) {
        const failure = scriptFailure(error);
        if (failure === undefined) {
          this.noteFailure(error);
          if (isStorageError(error)) throw error;
          throw writeOutcome(
            backendUnavailable(`redis ${name} failed`, error, this.secrets),
            opArg[0],
            error,
          );
        }
        if (failure.code !== 'LOCKED') throw call.onFailure?.(failure) ?? defaultFailure(failure, call);
        if (this.scopes.getStore()?.has(call.id)) {
          throw new StorageError(
            'STALE_WRITE',
            `the lock on session ${call.id} passed to another writer; write refused`,
          );
        }
        return undefined;
      }
    });
    return outcome.result;
  }

  /** REDIS_WAIT_REPLICAS: a write is acknowledged once that many replicas have it (redis-wait.ts). */
  private async replicated(key: string): Promise<void> {
    const { waitReplicas, waitTimeoutMs } = this.config.redis;
    if (waitReplicas <= 0) return;
    try {
      await this.limit.run(() =>
        waitForReplicas(this.client, key, { replicas: waitReplicas, timeoutMs: waitTimeoutMs }),
      );
    } catch (error) {
      if (isStorageError(error)) throw error;
      throw new StorageError(
        'BACKEND_UNAVAILABLE',
        'the write reached Redis, but waiting for its replicas failed (outcome unknown)',
        {
          cause: backendUnavailable('redis WAIT failed', error, this.secrets),
          details: { outcome: 'unknown' },
        },
      );
    }
  }

  /**
   * The guard argument of a mutating script: '<version>/<lock token>'. The version is the fence inside withLock
   * (or the caller's expectedVersion), the token lets the lock holder's own writes through.
   */
  guard(id: string, expected?: number): string {
    const scope = this.scopes.getStore()?.get(id);
    if (scope?.lost) {
      throw new StorageError('STALE_WRITE', `the lock on session ${id} expired while held; write refused`);
    }
    const fence = scope?.version ?? undefined;
    if (fence !== undefined && expected !== undefined && fence !== expected) {
      throw staleWrite(id, String(fence), expected);
    }
    const version = fence ?? expected;
    return `${version ?? ''}/${scope?.token ?? ''}`;
  }

  /** After a successful mutation inside withLock: the holder's own commit moves its fence forward. */
  committed(id: string, version: number): void {
    const scope = this.scopes.getStore()?.get(id);
    if (scope) scope.version = version;
  }

  /** After the holder's own delete inside withLock: no version to fence on (as for a session absent at first). */
  deleted(id: string): void {
    const scope = this.scopes.getStore()?.get(id);
    if (scope) scope.version = null;
  }
}

function staleWrite(id: string, actual: string, expected?: number | string): StorageError {
  return new StorageError(
    'STALE_WRITE',
    `session ${id} is at version ${actual}` +
      (expected !== undefined && expected !== '' ? `, expected ${expected}` : ''),
    { details: { version: Number(actual) } },
  );
}

function defaultFailure(failure: ScriptFailure, call: ScriptCall): StorageError {
  const { id } = call;
  switch (failure.code) {
    case 'SESSION_NOT_FOUND':
      return sessionNotFound(id);
    case 'UPLOAD_NOT_FOUND':
      return uploadNotFound(id);
    case 'SHEET_NOT_FOUND':
      return new StorageError('UPLOAD_NOT_FOUND', `upload ${id} has no such sheet`);
    case 'STALE_WRITE':
      return failure.detail === 'exists'
        ? new StorageError(
            'STALE_WRITE',
            `${call.kind ?? 'session'} ${id} already exists; pass overwrite to replace it`,
          )
        : staleWrite(id, failure.detail);
    case 'VERSION_NOT_FOUND':
      return new StorageError('VERSION_NOT_FOUND', `session ${id} has no such version`);
    case 'NOTHING_TO_UNDO':
      return new StorageError('NOTHING_TO_UNDO', `session ${id} has nothing to undo`);
    case 'NOTHING_TO_REDO':
      return new StorageError('NOTHING_TO_REDO', `session ${id} has nothing to redo`);
    case 'CORRUPT_DATA':
      return corruptData(
        `${call.kind ?? 'session'} ${id} is incomplete in Redis (${failure.detail === 'chunk' ? 'a frame chunk is missing' : 'keys were evicted or lost'})`,
      );
    case 'INVALID_INPUT':
      return invalidInput(`invalid input for ${id}`);
    default:
      return new StorageError('CORRUPT_DATA', `unexpected script failure ${failure.code} for ${id}`);
  }
}
