import type { Table } from 'apache-arrow';
import { invalidInput } from '../contract/errors.js';
import type { ReadOptions } from '../contract/frame-reads.js';

/**
 * Partial reads (§2 `ReadOptions`), as pure functions over an Arrow table so the storage engine can
 * apply the same rules when it fetches only some chunks.
 *
 * `limit` has no cap of its own: reading the whole frame is already allowed, so a limit can only
 * make a read smaller. Both numbers are non-negative safe integers; `limit: 0` is a valid empty read.
 */

/** Most columns one read may name (the same order of magnitude as any sane MAX_COLUMNS). */
export const MAX_READ_COLUMNS = 100_000;

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Checks the shape of `opts` (not the column names: see assertColumnsExist). INVALID_INPUT when wrong. */
export function assertReadOptions(opts: unknown): asserts opts is ReadOptions | undefined {
  if (opts === undefined) return;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw invalidInput('read options: expected an object { columns?, offset?, limit? }');
  }
  const { columns, offset, limit, ...rest } = opts as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) throw invalidInput(`read options: unknown option ${unknownKeys.join(', ')}`);
  if (offset !== undefined && !isCount(offset)) {
    throw invalidInput('read options: offset must be a non-negative safe integer');
  }
  if (limit !== undefined && !isCount(limit)) {
    throw invalidInput('read options: limit must be a non-negative safe integer');
  }
  if (columns === undefined) return;
  if (!Array.isArray(columns) || columns.length === 0 || columns.length > MAX_READ_COLUMNS) {
    throw invalidInput(`read options: columns must be a list of 1 to ${MAX_READ_COLUMNS} names`);
  }
  const seen = new Set<string>();
  for (const name of columns) {
    if (typeof name !== 'string') throw invalidInput('read options: every column must be a string');
    if (seen.has(name)) throw invalidInput(`read options: column ${JSON.stringify(name)} named twice`);
    seen.add(name);
  }
}

/** The indices (first match by name) of `columns` in `names`; an unknown column is INVALID_INPUT. */
export function assertColumnsExist(names: readonly string[], columns: readonly string[]): number[] {
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  const missing = columns.filter((name) => !index.has(name));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((name) => JSON.stringify(name));
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    throw invalidInput(`unknown column ${shown.join(', ')}${more}`);
  }
  return columns.map((name) => index.get(name) as number);
}

/** The row range `[start, end)` that `opts` asks of a frame with `totalRows` rows, clamped to it. */
export function rowRange(totalRows: number, opts: ReadOptions | undefined): [number, number] {
  const start = Math.min(opts?.offset ?? 0, totalRows);
  const end = opts?.limit === undefined ? totalRows : Math.min(totalRows, start + opts.limit);
  return [start, end];
}

/**
 * The part of `table` that `opts` asks for: only those columns in the asked order, rows
 * `[offset, offset + limit)`; past the end → an empty table with the (selected) schema. Arrow's
 * `selectAt`/`slice` share the buffers (zero-copy); dictionary columns stay dictionary columns.
 */
export function sliceTable(table: Table, opts?: ReadOptions): Table {
  assertReadOptions(opts);
  let out = table;
  if (opts?.columns !== undefined) {
    const names = table.schema.fields.map((field) => field.name);
    out = out.selectAt(assertColumnsExist(names, opts.columns));
  }
  const [start, end] = rowRange(table.numRows, opts);
  if (start === 0 && end === table.numRows) return out;
  return out.slice(start, end);
}
