import type { Table } from 'apache-arrow';
import { tableMemoryBytes } from '../../codec/frame-codec.js';

/**
 * Decoded tables by (session, frame id), byte-bounded LRU. Frames are immutable, so a cached id can never
 * hold stale data; the read script is told which ids this process holds and then skips sending the bytes
 * (it still checks the session and slides its TTL). Decoding a 10k×50 frame costs tens of milliseconds;
 * a hit costs one small round trip. Only tables that came out of the codec are cached (never a caller's
 * input), so every process serves exactly what a fresh decode would.
 */
export class FrameCache {
  private readonly entries = new Map<string, { table: Table; bytes: number }>();
  private readonly bySession = new Map<string, Set<string>>();
  private used = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly maxBytes: number) {}

  /** Frame ids of `sessionId` held here (the hint sent to the read script). */
  framesOf(sessionId: string): string[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  get(sessionId: string, frameId: string): Table | undefined {
    const key = `${sessionId}/${frameId}`;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.table;
  }

  set(sessionId: string, frameId: string, table: Table): void {
    if (this.maxBytes <= 0) return;
    const bytes = tableMemoryBytes(table);
    if (bytes > this.maxBytes / 4) return;
    const key = `${sessionId}/${frameId}`;
    this.remove(key);
    this.entries.set(key, { table, bytes });
    this.used += bytes;
    let ids = this.bySession.get(sessionId);
    if (ids === undefined) {
      ids = new Set();
      this.bySession.set(sessionId, ids);
    }
    ids.add(frameId);
    for (const oldest of this.entries.keys()) {
      if (this.used <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  dropSession(sessionId: string): void {
    for (const frameId of this.framesOf(sessionId)) this.remove(`${sessionId}/${frameId}`);
  }

  clear(): void {
    this.entries.clear();
    this.bySession.clear();
    this.used = 0;
  }

  /** A miss is counted when the server had to send the bytes. */
  countMiss(): void {
    this.misses += 1;
  }

  get stats(): { hits: number; misses: number; entries: number; bytes: number; maxBytes: number } {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.entries.size,
      bytes: this.used,
      maxBytes: this.maxBytes,
    };
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
    const split = key.indexOf('/');
    const sessionId = key.slice(0, split);
    const ids = this.bySession.get(sessionId);
    ids?.delete(key.slice(split + 1));
    if (ids?.size === 0) this.bySession.delete(sessionId);
  }
}
