import { LRUCache } from 'lru-cache';

/** Counters reported by getStats().cache. */
export interface LruStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

/**
 * A least-recently-used map bounded by the sum of its entries' sizes, not their count (lru-cache with
 * `maxSize`). Both backends cache decoded column chunks (and whole frames, and temp sheets) in one. Keys are
 * never reused for different values (blobs are immutable): no staleness.
 */
export class ByteLru<V extends object> {
  private readonly lru: LRUCache<string, V> | undefined;
  private hits = 0;
  private misses = 0;

  /** `onRemove` hears every key that leaves by eviction or delete, e.g. to keep an index. */
  constructor(
    private readonly maxBytes: number,
    onRemove?: (key: string) => void,
  ) {
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, V>({
            maxSize: maxBytes,
            ...(onRemove !== undefined ? { dispose: (_value, key) => onRemove(key) } : {}),
          })
        : undefined;
  }

  /** The cached value (and marks it most recently used), or undefined. */
  get(key: string): V | undefined {
    const value = this.lru?.get(key);
    if (value === undefined) this.misses += 1;
    else this.hits += 1;
    return value;
  }

  /** Caches a value; one larger than the whole budget is not cached at all. */
  set(key: string, value: V, bytes: number): void {
    if (this.lru === undefined) return;
    if (bytes > this.maxBytes) {
      this.lru.delete(key);
      return;
    }
    this.lru.set(key, value, { size: Math.max(1, bytes) });
  }

  delete(key: string): void {
    this.lru?.delete(key);
  }

  /** Counts a miss found elsewhere (e.g. the server had to send the bytes). */
  countMiss(): void {
    this.misses += 1;
  }

  /** Drops every key starting with `prefix` (e.g. all chunks of a deleted session). */
  deletePrefix(prefix: string): void {
    if (this.lru === undefined) return;
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }

  clear(): void {
    this.lru?.clear();
  }

  stats(): LruStats {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.lru?.size ?? 0,
      bytes: this.lru?.calculatedSize ?? 0,
      maxBytes: this.maxBytes,
    };
  }
}
