import {
  type Data,
  DataType,
  Dictionary,
  type Field,
  makeData,
  Schema,
  Struct,
  Table,
  Vector,
} from 'apache-arrow';
import { recordBatchOf } from '../../codec/record-batch.js';
import { corruptData } from '../../contract/errors.js';
import type { ReadOptions } from '../../contract/frame-reads.js';
import { assertColumnsExist, rowRange } from '../read-options.js';
import type { SessionStore } from '../store.js';
import type { ChunkContext } from './chunk-context.js';
import type { FrameManifest } from './manifest.js';

/**
 * Chunked frame → table, fetching only the chunks a read needs: the asked columns over the row ranges that
 * hold the asked rows (docs/chunks.md). Returns undefined when a chunk is gone (a concurrent commit dropped the
 * frame); the caller reloads the record and tries again.
 */
/**
 * The column's field under its manifest name. Chunks store dictionary types with id 0 (chunk-writer.ts); a
 * table needs one id per dictionary field, so each read gets fresh ids from Arrow's own counter (as any table
 * built in this process would, so the table can be combined with others).
 */
function asColumnField(field: Field, name: string): Field {
  const { type } = field;
  if (!DataType.isDictionary(type)) return field.clone({ name });
  return field.clone({ name, type: new Dictionary(type.dictionary, type.indices, null, type.isOrdered) });
}

export async function readChunkedFrame(
  store: SessionStore,
  chunks: ChunkContext,
  id: string,
  frame: { frameId: string; rows: number; manifest: FrameManifest },
  opts: ReadOptions | undefined,
): Promise<Table | undefined> {
  const { manifest, rows } = frame;
  const whole =
    opts === undefined ||
    (opts.columns === undefined && opts.offset === undefined && opts.limit === undefined);
  const memoKey = `${id}/${frame.frameId}`;
  const recent = whole ? chunks.recent(memoKey) : undefined;
  if (recent !== undefined) return recent;
  const names = manifest.columns.map((column) => column.name);
  const selected =
    opts?.columns === undefined ? names.map((_, index) => index) : assertColumnsExist(names, opts.columns);
  const [start, end] = rowRange(rows, opts);
  const R = manifest.chunkRows;
  // An empty read still needs the column types: it reads the first range and keeps none of its rows.
  const first = end > start ? Math.floor(start / R) : 0;
  const last = end > start ? Math.floor((end - 1) / R) : 0;
  const wanted = new Map<string, { bytes: number; rows: number }>();
  for (const index of selected) {
    const column = manifest.columns[index];
    for (let r = first; r <= last; r += 1) {
      const chunk = column?.chunks[r];
      if (chunk === undefined) throw corruptData(`session ${id}: frame manifest has no chunk ${r}`);
      wanted.set(chunk, { bytes: column?.bytes[r] ?? 0, rows: Math.min(rows, (r + 1) * R) - r * R });
    }
  }
  const tables = new Map<string, Table>();
  const ids = [...wanted.keys()];
  const read = await store.readFrames(id, ids);
  // The whole frame assembled before from these very chunk tables (all still cached): the same table.
  const memo = whole ? chunks.assembled(memoKey, read) : undefined;
  if (memo !== undefined) return memo;
  for (const [index, chunk] of ids.entries()) {
    const table = read[index];
    const expected = wanted.get(chunk) as { bytes: number; rows: number };
    if (table === undefined) return undefined;
    if (table.numCols !== 1 || table.numRows !== expected.rows) {
      throw corruptData(`session ${id}: chunk ${chunk} does not hold the rows its frame names`);
    }
    chunks.register(table, chunk, expected.bytes);
    tables.set(chunk, table);
  }
  const fields: Field[] = [];
  const vectors: Vector[] = [];
  for (const index of selected) {
    const column = manifest.columns[index];
    const firstTable = tables.get(column?.chunks[first] ?? '') as Table;
    const field = asColumnField(firstTable.schema.fields[0] as Field, column?.name ?? '');
    const pieces: Data[] = [];
    for (let r = first; r <= last; r += 1) {
      for (const piece of (tables.get(column?.chunks[r] ?? '') as Table).getChildAt(0)?.data ?? []) {
        if (piece.type === field.type) pieces.push(piece);
        else {
          // A dictionary piece gets the column's own type id; the retyped Data is still known as its chunk.
          const retyped = piece.clone(field.type);
          chunks.same(retyped, piece);
          pieces.push(retyped);
        }
      }
    }
    fields.push(field);
    vectors.push(new Vector(pieces));
  }
  const schema = new Schema(fields, new Map(Object.entries(manifest.metadata ?? {})));
  const type = new Struct(fields);
  const batchOf = (length: number, children: Data[]) =>
    recordBatchOf(schema, makeData({ type, length, nullCount: 0, children }));
  // Every chunk one piece (the usual case): range r of every column is batch r, built as is. Otherwise
  // Arrow lines the columns up; columns cut at the same rows keep their Data objects either way.
  const aligned = vectors.every((vector) => vector.data.length === last - first + 1);
  const batches = aligned
    ? Array.from({ length: last - first + 1 }, (_, r) =>
        batchOf(
          ((vectors[0] as Vector).data[r] as Data).length,
          vectors.map((vector) => vector.data[r] as Data),
        ),
      )
    : new Table(Object.fromEntries(vectors.map((vector, index) => [`c${index}`, vector]))).batches.map(
        (batch) => batchOf(batch.numRows, batch.data.children),
      );
  const table = new Table(schema, batches);
  const from = start - first * R;
  const to = end > start ? end - first * R : from;
  if (whole) chunks.remember(memoKey, read as Table[], table);
  return from === 0 && to === table.numRows ? table : table.slice(from, to);
}
