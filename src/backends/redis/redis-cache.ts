import type { Table } from 'apache-arrow';
import { ByteLru, type LruStats } from '../../cache/byte-lru.js';
import { tableMemoryBytes } from '../../codec/frame-codec.js';

/**
 * Decoded tables by (session, frame id), byte-bounded LRU. Frames are immutable, so a cached id can never
 * hold stale data; the read script is told which ids this process holds and then skips sending the bytes
 * (it still checks the session and slides its TTL). Decoding a 10k×50 frame costs tens of milliseconds;
 * a hit costs one small round trip. Only tables that came out of the codec are cached (never a caller's
 * input), so every process serves exactly what a fresh decode would.
 */
export class FrameCache {
  private readonly lru: ByteLru<Table>;
  private readonly bySession = new Map<string, Set<string>>();

  constructor(private readonly maxBytes: number) {
    this.lru = new ByteLru<Table>(maxBytes, (key) => this.unindex(key));
  }

  /** Frame ids of `sessionId` held here (the hint sent to the read script). */
  framesOf(sessionId: string): string[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  get(sessionId: string, frameId: string): Table | undefined {
    return this.lru.get(`${sessionId}/${frameId}`);
  }

  set(sessionId: string, frameId: string, table: Table): void {
    if (this.maxBytes <= 0) return;
    const bytes = tableMemoryBytes(table);
    // One huge table must not flush everything else out.
    if (bytes > this.maxBytes / 4) return;
    this.lru.set(`${sessionId}/${frameId}`, table, bytes);
    let ids = this.bySession.get(sessionId);
    if (ids === undefined) {
      ids = new Set();
      this.bySession.set(sessionId, ids);
    }
    ids.add(frameId);
  }

  /** Evicts frames a commit deleted (the comma-separated ids its script returned). */
  dropFrames(sessionId: string, frameIds: unknown): void {
    const text = Buffer.isBuffer(frameIds) ? frameIds.toString('utf8') : String(frameIds ?? '');
    for (const frameId of text.split(',')) if (frameId !== '') this.lru.delete(`${sessionId}/${frameId}`);
  }

  dropSession(sessionId: string): void {
    for (const frameId of this.framesOf(sessionId)) this.lru.delete(`${sessionId}/${frameId}`);
  }

  clear(): void {
    this.lru.clear();
    this.bySession.clear();
  }

  /** A miss is counted when the server had to send the bytes. */
  countMiss(): void {
    this.lru.countMiss();
  }

  get stats(): LruStats {
    return this.lru.stats();
  }

  private unindex(key: string): void {
    const split = key.indexOf('/');
    const sessionId = key.slice(0, split);
    const ids = this.bySession.get(sessionId);
    ids?.delete(key.slice(split + 1));
    if (ids?.size === 0) this.bySession.delete(sessionId);
  }
}
