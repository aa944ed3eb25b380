import type { Data, Table } from 'apache-arrow';
import { LRUCache } from 'lru-cache';
import type { FrameCodec } from '../../codec/frame-codec.js';
import { tableMemoryBytes } from '../../codec/frame-codec.js';

/** How long an assembled frame is served without touching its chunks in the cache (see `recent`). */
const RECHECK_MS = 1000;

/** What the engine knows of a chunk: its id, stored bytes and serialized (uncompressed) bytes. */
export interface KnownChunk {
  id: string;
  bytes: number;
  raw: number;
}

/**
 * The chunk settings of one engine and its identity map: the Arrow `Data` of every chunk this engine decoded
 * (or wrote and decoded back), so a later write holding the very same `Data` names the chunk without
 * encoding or hashing it. A WeakMap: it never keeps a table alive. Arrow data is immutable by contract (the
 * cache already hands the same decoded table to every reader), so identity implies equal values.
 */
export class ChunkContext {
  private readonly names = new WeakMap<Data, KnownChunk>();
  /**
   * Whole frames assembled from cached chunk tables, by session/frame id. An entry is served only while the
   * store hands back the very same chunk tables (none evicted); it holds them weakly, so it keeps nothing
   * alive that neither the chunk cache nor a caller holds, and the cache's byte bound stays the bound.
   */
  private readonly frames = new LRUCache<
    string,
    { parts: WeakRef<Table>[]; table: WeakRef<Table>; checkedAt: number }
  >({ max: 256 });

  constructor(
    readonly codec: FrameCodec,
    readonly chunkRows: number,
  ) {}

  /**
   * The frame assembled lately, without asking the store for its chunks, when a read within RECHECK_MS found
   * every one of them still in the cache: frames are immutable, so the table is right whatever happened
   * since, and it is held weakly. One read per RECHECK_MS goes through `assembled` (which touches every chunk
   * in the cache), so a frame read often keeps its chunks cached. A hit on a 100k × 50 frame skips 200 cache
   * lookups (and is not counted in the cache's hit statistics).
   */
  recent(key: string): Table | undefined {
    const entry = this.frames.get(key);
    if (entry === undefined || performance.now() - entry.checkedAt > RECHECK_MS) return undefined;
    return entry.table.deref();
  }

  assembled(key: string, parts: readonly (Table | undefined)[]): Table | undefined {
    const entry = this.frames.get(key);
    if (entry === undefined) return undefined;
    const table = entry.table.deref();
    const same =
      entry.parts.length === parts.length &&
      entry.parts.every((part, index) => part.deref() === parts[index]);
    if (table === undefined || !same) {
      this.frames.delete(key);
      return undefined;
    }
    entry.checkedAt = performance.now();
    return table;
  }

  remember(key: string, parts: readonly Table[], table: Table): void {
    this.frames.set(key, {
      parts: parts.map((part) => new WeakRef(part)),
      table: new WeakRef(table),
      // Not yet: only a read that found every chunk in the cache vouches for the frame (with the cache off,
      // or its chunks evicted, every read goes to the store as before).
      checkedAt: Number.NEGATIVE_INFINITY,
    });
  }

  known(data: Data): KnownChunk | undefined {
    return this.names.get(data);
  }

  /** Records the column of a decoded one-column chunk table (only a single-piece column can be reused). */
  register(table: Table, id: string, bytes: number, raw?: number): void {
    const pieces = table.getChildAt(0)?.data;
    if (pieces?.length !== 1) return;
    const data = pieces[0] as Data;
    if (this.names.get(data)?.id === id) return; // read again from the cache: known already
    this.names.set(data, { id, bytes, raw: raw ?? tableMemoryBytes(table) });
  }

  /** `data` holds the same values as `from` (a retyped dictionary piece): it names the same chunk. */
  same(data: Data, from: Data): void {
    const known = this.names.get(from);
    if (known !== undefined) this.names.set(data, known);
  }
}
