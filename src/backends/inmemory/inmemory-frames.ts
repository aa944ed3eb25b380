import type { Table } from 'apache-arrow';
import type { ByteLru } from '../../cache/byte-lru.js';
import { type FrameCodec, tableMemoryBytes } from '../../codec/frame-codec.js';
import { isChunkId } from '../../session/chunks/manifest.js';
import { pacer } from '../../session/chunks/pace.js';
import { readFileIfExists, readSmallFileIfExists } from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';

/**
 * The immutable blobs of the sessions on disk (column chunks and whole frames), decoded through the shared
 * byte-bounded cache. A chunk file is read in one synchronous call (no four thread-pool hops per small
 * file); a whole frame, which may be large, asynchronously.
 */
export class DiskFrames {
  constructor(
    private readonly layout: InMemoryLayout,
    private readonly codec: FrameCodec,
    private readonly cache: ByteLru<Table>,
  ) {}

  read(id: string, frameId: string): Promise<Table | undefined> {
    const cached = this.cache.get(`${id}/${frameId}`);
    return cached !== undefined ? Promise.resolve(cached) : this.load(id, frameId);
  }

  async readMany(id: string, frameIds: readonly string[]): Promise<(Table | undefined)[]> {
    // Cache hits without a promise each; only misses go to disk.
    const out = frameIds.map((frameId) => this.cache.get(`${id}/${frameId}`));
    if (out.every((table) => table !== undefined)) return out;
    // Chunk files are read and decoded synchronously; yielding between slices keeps a 10k-chunk read
    // from holding the event loop.
    const pause = pacer();
    for (const [index, table] of out.entries()) {
      if (table !== undefined) continue;
      out[index] = await this.load(id, frameIds[index] as string);
      await pause();
    }
    return out;
  }

  bytes(id: string, frameId: string): Promise<Uint8Array | undefined> {
    return readFileIfExists(this.layout.framePath(id, frameId));
  }

  /** Caches a table a commit stored, when decoding it would give back the same table (Arrow IPC does). */
  remember(id: string, frameId: string, table: Table): void {
    if (this.codec.options.serialization === 'arrow') {
      this.cache.set(`${id}/${frameId}`, table, tableMemoryBytes(table));
    }
  }

  forget(id: string, frameId: string): void {
    this.cache.delete(`${id}/${frameId}`);
  }

  forgetSession(id: string): void {
    this.cache.deletePrefix(`${id}/`);
  }

  /** From disk (a cache miss), decoded and cached. */
  private async load(id: string, frameId: string): Promise<Table | undefined> {
    const file = this.layout.framePath(id, frameId);
    const bytes = isChunkId(frameId) ? readSmallFileIfExists(file) : await readFileIfExists(file);
    if (bytes === undefined) return undefined;
    const table = this.codec.decode(bytes);
    this.cache.set(`${id}/${frameId}`, table, tableMemoryBytes(table));
    return table;
  }
}
