import { isStorageError, StorageError } from '../contract/errors.js';
import type { BackendType, StorageBackend } from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { type CallTarget, isMissFor, type ReadThrough } from './read-through.js';
import type { RedisLink } from './redis-link.js';
import type { ShardGates } from './shard-gates.js';
import type { WriteBack } from './write-back.js';
import type { WriteBackJournal } from './write-back-journal.js';

/** How the manager must treat one call. */
export interface CallSpec<T> {
  /** The session/upload the call is about (read-through, journal, write-back first). */
  target?: CallTarget;
  /** Changes the target: journaled when served locally during an outage. */
  mutates?: boolean;
  /** Ids a successful call brought into existence (journaled when served locally). */
  created?: (result: T) => CallTarget[];
  /** A result that means "not in this store" (sessionExists false, delete false). */
  isMiss?: (result: T) => boolean;
  /** A result that reports Redis unreachable without throwing (an unhealthy health report): counts as a failure. */
  unreachable?: (result: T) => string | undefined;
  /**
   * Also run the call on the other store (best effort) after the active one answered: a delete must not
   * leave a copy there (e.g. kept by `migrate` without --delete-source) for read-through to bring back.
   */
  bothStores?: boolean;
}

export interface Served<T> {
  value: T;
  backend: BackendType;
}

/** The Redis side of a Redis-first manager: the link, its breaker, and the outage write-back machinery. */
export interface RedisPrimary {
  link: RedisLink;
  breaker: CircuitBreaker;
  /** Present when STORAGE_FALLBACK_TO_MEMORY: the journal and write-back of locally served changes. */
  journal?: WriteBackJournal;
  writeBack?: WriteBack;
  /** On Redis Cluster: one gate per shard, so a dead shard does not stop the others. */
  shards?: ShardGates;
}

/** The shard serving a target, when the Redis backend is a Cluster (RedisBackend.shardOf). */
function shardFor(backend: StorageBackend, target: CallTarget | undefined): string | undefined {
  if (target === undefined) return undefined;
  const sharded = backend as StorageBackend & { shardOf?: (id: string) => string | undefined };
  return sharded.shardOf?.(target.id);
}

export interface RouterParts {
  logger: Logger;
  /** The local store: the active one (inmemory first), or the fallback/read-through secondary (redis first). */
  local: StorageBackend | undefined;
  /** Set when Redis is the configured backend. */
  redisPrimary?: RedisPrimary;
  /** Set when the local store is active and Redis is the read-through secondary. */
  redisSecondary?: RedisLink;
  readThrough?: ReadThrough;
  fallbackToMemory: boolean;
}

/**
 * Decides which store serves each call: Redis while its circuit is closed; the local store (journaled)
 * while it is open and fallback is on; otherwise fail fast. Misses on the active store fall through to the
 * other store when read-through is on; a journaled id is written back before Redis serves it again.
 */
export class BackendRouter {
  constructor(private readonly parts: RouterParts) {}

  /** True when Redis is configured but the local store is standing in for it. */
  servingLocally(): boolean {
    const primary = this.parts.redisPrimary;
    if (primary === undefined || this.parts.local === undefined || !this.parts.fallbackToMemory) return false;
    return primary.breaker.state !== 'closed' || primary.link.current === undefined;
  }

  /** The store calls go to right now (Redis while its circuit is open and there is no fallback). */
  serving(): StorageBackend {
    const { redisPrimary, local } = this.parts;
    if (redisPrimary === undefined) return local!;
    if (this.servingLocally()) return local!;
    return redisPrimary.link.current ?? local ?? unavailable('redis is not connected');
  }

  async execute<T>(spec: CallSpec<T>, call: (backend: StorageBackend) => Promise<T>): Promise<Served<T>> {
    const { redisPrimary, local } = this.parts;
    if (redisPrimary === undefined) {
      return this.onActive(local!, async () => this.parts.redisSecondary?.available(), spec, call);
    }
    const redis = redisPrimary.link.current;
    if (redisPrimary.breaker.state === 'closed' && redis !== undefined) {
      const target = spec.target;
      const shard = redisPrimary.shards && shardFor(redis, target);
      if (shard !== undefined && redisPrimary.shards?.isShut(shard)) {
        if (local !== undefined && this.parts.fallbackToMemory) return this.onLocal(spec, call);
        unavailable(`redis shard ${shard} is unavailable (probing it)`);
      }
      if (target && redisPrimary.journal?.has(target.kind, target.id)) {
        await redisPrimary.writeBack?.one(target.kind, target.id);
      }
      try {
        const served = await this.onActive(redis, async () => local, spec, call);
        const down = spec.unreachable?.(served.value);
        if (down === undefined) {
          redisPrimary.breaker.recordSuccess();
          if (shard !== undefined) redisPrimary.shards?.recordSuccess(shard);
        } else redisPrimary.breaker.recordFailure(down);
        return served;
      } catch (error) {
        if (!isStorageError(error, 'BACKEND_UNAVAILABLE')) {
          redisPrimary.breaker.recordSuccess();
          if (shard !== undefined) redisPrimary.shards?.recordSuccess(shard);
          throw error;
        }
        // A failure of one shard shuts that shard's gate; it does not count against the whole circuit.
        if (shard !== undefined) {
          redisPrimary.shards?.recordFailure(shard, error.message);
          throw error;
        }
        const opened = redisPrimary.breaker.recordFailure(error.message);
        // The call that opened the circuit: a create has no id to lose yet, so serve it locally right away.
        if (opened && spec.target === undefined && spec.created && this.servingLocally())
          return this.onLocal(spec, call);
        throw error;
      }
    }
    if (!this.servingLocally()) {
      unavailable(
        `redis is unavailable (circuit ${redisPrimary.breaker.state}): ${redisPrimary.breaker.lastReason ?? ''}`,
      );
    }
    return this.onLocal(spec, call);
  }

  /** Serves on the active store, falling through to the secondary on a miss. */
  private async onActive<T>(
    active: StorageBackend,
    secondary: () => Promise<StorageBackend | undefined>,
    spec: CallSpec<T>,
    call: (backend: StorageBackend) => Promise<T>,
  ): Promise<Served<T>> {
    try {
      const value = await call(active);
      if (spec.bothStores)
        return {
          value: (await this.onOther(active, secondary, call)) || value,
          backend: active.backendType,
        } as Served<T>;
      if (!spec.isMiss?.(value) || !(await this.pulled(active, secondary, spec.target))) {
        return { value, backend: active.backendType };
      }
    } catch (error) {
      if (!isMissFor(error, spec.target) || !(await this.pulled(active, secondary, spec.target))) throw error;
    }
    return { value: await call(active), backend: active.backendType };
  }

  /** Runs `call` on the other store when there is one; its failure is logged, never thrown (best effort). */
  private async onOther<T>(
    active: StorageBackend,
    secondary: () => Promise<StorageBackend | undefined>,
    call: (backend: StorageBackend) => Promise<T>,
  ): Promise<T | undefined> {
    const other = await secondary().catch(() => undefined);
    if (other === undefined || other === active) return undefined;
    try {
      return await call(other);
    } catch (error) {
      this.parts.logger.warn(
        { backend: other.backendType, err: error instanceof Error ? error.message : String(error) },
        'could not repeat the call on the other store',
      );
      return undefined;
    }
  }

  /** Whether misses fall through to another store. */
  hasReadThrough(): boolean {
    return this.parts.readThrough !== undefined;
  }

  private async pulled(
    active: StorageBackend,
    secondary: () => Promise<StorageBackend | undefined>,
    target: CallTarget | undefined,
  ): Promise<boolean> {
    const readThrough = this.parts.readThrough;
    if (readThrough === undefined || target === undefined) return false;
    const other = await secondary();
    if (other === undefined || other === active) return false;
    return readThrough.pull(target, other, active);
  }

  /** Serves on the local store while Redis is out; journals what changes so it is written back later. */
  private async onLocal<T>(
    spec: CallSpec<T>,
    call: (backend: StorageBackend) => Promise<T>,
  ): Promise<Served<T>> {
    const local = this.parts.local!;
    const journal = this.parts.redisPrimary?.journal;
    const target = spec.target;
    if (spec.mutates && target && journal) await journal.add(target.kind, target.id);
    let value: T;
    try {
      value = await call(local);
    } catch (error) {
      if (isMissFor(error, target)) throw missingWhileOut(target!, error);
      throw error;
    }
    if (target && spec.isMiss?.(value)) throw missingWhileOut(target);
    if (journal && spec.created) {
      for (const created of spec.created(value)) await journal.add(created.kind, created.id);
    }
    return { value, backend: local.backendType };
  }
}

function unavailable(message: string): never {
  throw new StorageError('BACKEND_UNAVAILABLE', message);
}

/** Not local does not mean not anywhere: the id may well live in the Redis we cannot reach. */
const missingWhileOut = (target: CallTarget, cause?: unknown) =>
  new StorageError(
    'BACKEND_UNAVAILABLE',
    `${target.kind} ${target.id} is not in the local store and redis is unavailable; retry when redis is back`,
    { cause },
  );
