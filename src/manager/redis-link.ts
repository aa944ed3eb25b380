import type { StorageBackend } from '../contract/storage-backend.js';

/** A backend that can say when its connection is back (RedisBackend); the manager needs nothing else of Redis. */
interface ReconnectSource {
  onReconnect(listener: () => void): () => void;
}

const reportsReconnects = (backend: StorageBackend): backend is StorageBackend & ReconnectSource =>
  typeof (backend as Partial<ReconnectSource>).onReconnect === 'function';

/**
 * The manager's handle on Redis, which may not exist yet: Redis unreachable at startup (fallback), or Redis
 * as the read-through secondary of a local-first manager. Connects at most once at a time, and after a
 * failed attempt waits `retryAfterMs` before `available()` tries again, so a miss never waits on a dead Redis
 * more than once per interval.
 */
export class RedisLink {
  private backend: StorageBackend | undefined;
  private connecting: Promise<StorageBackend> | undefined;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly reconnectListeners = new Set<() => void>();
  private unwatch: (() => void) | undefined;
  /** The last connection error (credential-free). */
  lastError: string | undefined;

  constructor(
    private readonly connectFn: () => Promise<StorageBackend>,
    private readonly retryAfterMs: number,
    existing?: StorageBackend,
  ) {
    this.backend = existing;
    if (existing) this.watch(existing);
  }

  /** Calls `listener` whenever the connected backend reports its connection ready again (now and later backends). */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.add(listener);
  }

  private watch(backend: StorageBackend): void {
    if (!reportsReconnects(backend)) return;
    this.unwatch = backend.onReconnect(() => {
      for (const listener of this.reconnectListeners) listener();
    });
  }

  /** The connected backend, if any. */
  get current(): StorageBackend | undefined {
    return this.backend;
  }

  /** Connects (or joins the attempt under way). Rejects with the backend's BACKEND_UNAVAILABLE. */
  connect(): Promise<StorageBackend> {
    if (this.backend) return Promise.resolve(this.backend);
    this.connecting ??= this.connectFn()
      .then(async (backend) => {
        if (this.closed) {
          await backend.close();
          throw new Error('manager closed while connecting to redis');
        }
        this.backend = backend;
        this.watch(backend);
        this.lastError = undefined;
        return backend;
      })
      .catch((error: unknown) => {
        this.lastFailureAt = performance.now();
        this.lastError = error instanceof Error ? error.message : String(error);
        throw error;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** The backend when connected or connectable now; undefined while a recent attempt failed. */
  async available(): Promise<StorageBackend | undefined> {
    if (this.backend) return this.backend;
    if (performance.now() - this.lastFailureAt < this.retryAfterMs) return undefined;
    return this.connect().catch(() => undefined);
  }

  /** Closes the connection (waiting for an attempt under way). */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const backend = this.backend;
    this.backend = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
    await backend?.close();
  }
}
