import type { Table } from 'apache-arrow';
import { corruptData, isStorageError } from '../../contract/errors.js';
import type { RedisContext } from './redis-context.js';
import type { FrameEntry } from './redis-state.js';

/** Splits without copying; every part but the last is exactly chunkBytes long. */
export function splitFrame(frame: Buffer, chunkBytes: number): Buffer[] {
  if (frame.length <= chunkBytes) return [frame];
  const parts: Buffer[] = [];
  for (let offset = 0; offset < frame.length; offset += chunkBytes) {
    parts.push(frame.subarray(offset, Math.min(offset + chunkBytes, frame.length)));
  }
  return parts;
}

/**
 * Writes chunks of a not-yet-visible frame, each its own SET (one big value would block Redis for its whole
 * copy). They get a provisional TTL, so chunks of a refused or crashed commit disappear on their own.
 */
export async function writeChunks(
  ctx: RedisContext,
  keys: string[],
  chunks: Buffer[],
  ttlSeconds: number,
): Promise<void> {
  const ttlMs = Math.max(ttlSeconds, 60) * 1000;
  await ctx.command('chunk write', async () => {
    const pipeline = ctx.client.pipeline();
    keys.forEach((key, index) => {
      pipeline.set(key, chunks[index] ?? Buffer.alloc(0), 'PX', ttlMs);
    });
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  });
}

/** Best effort: chunks of a refused commit (they expire anyway). */
export async function discardChunks(ctx: RedisContext, keys: string[]): Promise<void> {
  if (keys.length === 0 || ctx.closed) return;
  await ctx.client.unlink(...keys).catch(() => undefined);
}

/** GETs chunks; undefined when any is missing (the frame was dropped meanwhile, or evicted). */
export async function readChunks(ctx: RedisContext, keys: string[]): Promise<Buffer[] | undefined> {
  const parts = await ctx.command('chunk read', () =>
    Promise.all(keys.map((key) => ctx.client.getBuffer(key))),
  );
  if (parts.some((part) => part === null)) return undefined;
  return parts as Buffer[];
}

/** Fields of a session's frames hash, in order (null for a missing one), in one HMGET. */
export function readFields(
  ctx: RedisContext,
  id: string,
  fields: readonly string[],
): Promise<(Buffer | null)[]> {
  return ctx.command('chunk read', () => ctx.client.hmgetBuffer(ctx.keys.frames(id), ...fields));
}

/** Reassembles a frame and checks it has the stored length (the codec then verifies the checksum). */
export function joinChunks(parts: Buffer[], entry: FrameEntry, what: string): Buffer {
  const frame = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  if (frame.length !== entry.b) {
    throw corruptData(`${what}: stored frame is ${frame.length} bytes, expected ${entry.b}`);
  }
  return frame;
}

/** Frame bytes → Table; anything wrong with the bytes is CORRUPT_DATA, never a wrong table. */
export function decodeStored(ctx: RedisContext, frame: Buffer, what: string): Table {
  try {
    return ctx.codec.decode(frame);
  } catch (error) {
    if (isStorageError(error)) throw error;
    throw corruptData(`${what}: stored frame cannot be decoded`, error);
  }
}

/** A read script's answer: the caller's cached copy is current, or the bytes, or a chunk went missing. */
export type FrameRead =
  | { entry: FrameEntry; kind: 'cached' }
  | { entry: FrameEntry; kind: 'bytes'; frame: Buffer }
  | { entry: FrameEntry; kind: 'missing' };

/**
 * The reply of a read script ({ entry_json, 'cached' | 'inline', bytes? | 'chunked' }) → the frame.
 * `chunkKeys` names the chunks of a chunked frame.
 */
export async function frameFromReply(
  ctx: RedisContext,
  reply: unknown[],
  parse: (raw: unknown) => FrameEntry,
  chunkKeys: (entry: FrameEntry) => string[],
  what: string,
): Promise<FrameRead> {
  const entry = parse(reply[0]);
  const kind = Buffer.isBuffer(reply[1]) ? reply[1].toString('latin1') : String(reply[1]);
  if (kind === 'cached') return { entry, kind };
  if (kind === 'inline') {
    const bytes = reply[2];
    if (!Buffer.isBuffer(bytes)) throw corruptData(`${what}: frame key is missing`);
    return { entry, kind: 'bytes', frame: joinChunks([bytes], entry, what) };
  }
  const parts = await readChunks(ctx, chunkKeys(entry));
  if (parts === undefined) return { entry, kind: 'missing' };
  return { entry, kind: 'bytes', frame: joinChunks(parts, entry, what) };
}
