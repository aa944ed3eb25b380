/** Counters reported by getStats().cache. */
export interface LruStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

/**
 * A least-recently-used map bounded by the sum of its entries' sizes, not their count. Both backends cache
 * decoded frames in one. Keys are never reused for different values (frames are immutable): no staleness.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private totalBytes = 0;
  private hits = 0;
  private misses = 0;

  /** `onRemove` hears every key that leaves by eviction or delete (not by clear), e.g. to keep an index. */
  constructor(
    private readonly maxBytes: number,
    private readonly onRemove?: (key: string) => void,
  ) {}

  /** The cached value (and marks it most recently used), or undefined. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    // Re-inserting moves the key to the end of the Map's iteration order: the most recent end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Caches a value; one larger than the whole budget is not cached at all. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.totalBytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
    this.onRemove?.(key);
  }

  /** Counts a miss found elsewhere (e.g. the server had to send the bytes). */
  countMiss(): void {
    this.misses += 1;
  }

  /** Drops every key starting with `prefix` (e.g. all frames of a deleted session). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  stats(): LruStats {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.entries.size,
      bytes: this.totalBytes,
      maxBytes: this.maxBytes,
    };
  }
}
