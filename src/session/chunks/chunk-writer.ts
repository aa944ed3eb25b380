import { xxh3 } from '@node-rs/xxhash';
import {
  type Data,
  DataType,
  Dictionary,
  type Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
} from 'apache-arrow';
import { readFrameHeader, tooLarge } from '../../codec/frame-codec.js';
import { newFrameId } from '../engine-context.js';
import { type FrameRef, type NewFrame, referencedFrames, type SessionRecord } from '../store.js';
import type { ChunkContext, KnownChunk } from './chunk-context.js';
import { type FrameManifest, rangeCount } from './manifest.js';
import { pacer } from './pace.js';

/**
 * Table → chunked frame (docs/chunks.md). Each column is cut into row ranges of `chunkRows`; a piece whose
 * Arrow `Data` is one this engine decoded from a chunk is named by that chunk without touching its values
 * (after `setChildAt`/`select`, untouched columns keep their `Data`); any other piece is encoded and named by
 * the 128-bit xxh3 of its encoded bytes, so equal values give the same chunk however the table was built.
 */

/** A frame ready to commit: its reference, and the blobs a given base does not hold yet. */
export interface PreparedFrame {
  ref: FrameRef;
  /**
   * The frame to commit on top of `base` and the blobs `base` does not hold yet, each with its table as
   * decoded from its bytes. The ref differs from `ref` only when a chunk known by identity had to be encoded.
   */
  commitOn(base: SessionRecord | undefined): { ref: FrameRef; frames: NewFrame[] };
}

/** A chunk's id: 'x' + the 128-bit xxh3 of its stored bytes, base64url. */
export const chunkIdOf = (bytes: Uint8Array): string => {
  const hash = xxh3.xxh128(bytes);
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(hash >> 64n, 0);
  out.writeBigUInt64BE(hash & 0xffff_ffff_ffff_ffffn, 8);
  return `x${out.toString('base64url')}`;
};

/**
 * A one-column table over `pieces` (the column's Data within one row range). A dictionary field gets id 0:
 * Arrow numbers dictionary types process-wide, and the id is written into the bytes, so equal values would
 * otherwise hash differently depending on how the table was built.
 */
export function chunkTable(column: Field, pieces: readonly Data[]): Table {
  const field = DataType.isDictionary(column.type)
    ? column.clone({
        type: new Dictionary(column.type.dictionary, column.type.indices, 0, column.type.isOrdered),
      })
    : column;
  const schema = new Schema([field]);
  const batches = pieces.map(
    (piece) =>
      new RecordBatch(
        schema,
        makeData({ type: new Struct([field]), length: piece.length, nullCount: 0, children: [piece] }),
      ),
  );
  return new Table(schema, batches);
}

interface Piece {
  field: Field;
  pieces: readonly Data[];
  known?: KnownChunk;
  bytes?: Buffer;
  decoded?: Table;
}

/** The chunk's bytes, its id, and the table those bytes decode to (what the store may cache). */
function encodePiece(ctx: ChunkContext, piece: Piece): { bytes: Buffer; known: KnownChunk; decoded: Table } {
  const { bytes, decoded } = ctx.codec.encodeAndDecode(chunkTable(piece.field, piece.pieces));
  const known = piece.known ?? {
    id: chunkIdOf(bytes),
    bytes: bytes.length,
    raw: readFrameHeader(bytes).uncompressedLength,
  };
  return { bytes, known, decoded };
}

/** A table with no rows or no columns has nothing to share: it is stored whole, as one blob. */
function wholeFrame(ctx: ChunkContext, table: Table): PreparedFrame {
  const bytes = ctx.codec.encode(table);
  const frameId = newFrameId();
  const ref = { frameId, rows: table.numRows, columns: table.numCols, bytes: bytes.length };
  return { ref, commitOn: () => ({ ref, frames: [{ frameId, source: { kind: 'bytes', bytes, table } }] }) };
}

function manifestOf(table: Table, chunkRows: number, grid: Piece[][]): FrameRef {
  const manifest: FrameManifest = {
    rows: table.numRows,
    chunkRows,
    columns: grid.map((row, index) => ({
      name: table.schema.fields[index]?.name ?? '',
      chunks: row.map((piece) => piece.known?.id ?? ''),
      bytes: row.map((piece) => piece.known?.bytes ?? 0),
    })),
    ...(table.schema.metadata.size > 0 ? { metadata: Object.fromEntries(table.schema.metadata) } : {}),
  };
  return {
    frameId: newFrameId(),
    rows: table.numRows,
    columns: table.numCols,
    bytes: manifest.columns.reduce((sum, column) => sum + column.bytes.reduce((a, b) => a + b, 0), 0),
    manifest,
  };
}

export async function prepareFrame(ctx: ChunkContext, table: Table): Promise<PreparedFrame> {
  if (!(table instanceof Table) || table.numRows === 0 || table.numCols === 0) return wholeFrame(ctx, table);
  const { chunkRows } = ctx;
  const pause = pacer();
  const ranges = rangeCount(table.numRows, chunkRows);
  const grid: Piece[][] = [];
  for (const [index, field] of table.schema.fields.entries()) {
    const column = table.getChildAt(index);
    const row: Piece[] = [];
    for (let r = 0; r < ranges; r += 1) {
      const start = r * chunkRows;
      const pieces = column?.slice(start, Math.min(table.numRows, start + chunkRows)).data ?? [];
      const known = pieces.length === 1 ? ctx.known(pieces[0] as Data) : undefined;
      const piece: Piece = { field, pieces, ...(known !== undefined ? { known } : {}) };
      if (known === undefined) {
        const encoded = encodePiece(ctx, piece);
        piece.bytes = encoded.bytes;
        piece.known = encoded.known;
        // Kept for the cache in case the session does not hold this chunk yet (known at commit time), and
        // known by identity: a later write that holds these very columns names the chunk without encoding.
        piece.decoded = encoded.decoded;
        ctx.register(piece.decoded, encoded.known.id, encoded.bytes.length, encoded.known.raw);
      }
      row.push(piece);
      await pause();
    }
    grid.push(row);
  }
  let raw = 0;
  for (const row of grid) for (const piece of row) raw += piece.known?.raw ?? 0;
  const { maxFrameBytes } = ctx.codec.options;
  if (raw > maxFrameBytes) throw tooLarge('serialized table', raw, maxFrameBytes);
  let ref = manifestOf(table, chunkRows, grid);
  return {
    ref,
    commitOn(base) {
      const stored = base === undefined ? new Set<string>() : referencedFrames(base);
      // A chunk known by identity but not stored here (another session's table, a version gone since) is
      // encoded now and named by its own bytes: a stored chunk's id is always the hash of its bytes.
      let renamed = false;
      for (const row of grid)
        for (const piece of row) {
          if (piece.bytes !== undefined || stored.has(piece.known?.id ?? '')) continue;
          const encoded = encodePiece(ctx, { ...piece, known: undefined } as Piece);
          piece.bytes = encoded.bytes;
          renamed ||= encoded.known.id !== piece.known?.id;
          piece.known = encoded.known;
          piece.decoded = encoded.decoded;
          ctx.register(piece.decoded, encoded.known.id, encoded.bytes.length, encoded.known.raw);
        }
      if (renamed) ref = { ...manifestOf(table, chunkRows, grid), frameId: ref.frameId };
      const frames = new Map<string, NewFrame>();
      for (const row of grid)
        for (const piece of row) {
          const id = piece.known?.id ?? '';
          if (stored.has(id) || frames.has(id) || piece.bytes === undefined) continue;
          // What the store may cache is the chunk as decoded from its bytes, never the caller's table.
          const decoded = piece.decoded;
          frames.set(id, {
            frameId: id,
            source: {
              kind: 'bytes',
              bytes: piece.bytes,
              ...(decoded !== undefined ? { table: decoded } : {}),
            },
          });
        }
      return { ref, frames: [...frames.values()] };
    },
  };
}
