import { type Data, makeVector, type Table, type Vector } from 'apache-arrow';
import { invalidInput, StorageError } from '../contract/errors.js';
import { inferTextData } from './cell-infer.js';
import { slicesOfStrings } from './cell-slices.js';
import { assembleTable, specVector } from './cell-table.js';
import { type CellValue, inferValueColumn } from './cell-values.js';
import { DEFAULT_MAX_COLUMNS, decodeText } from './csv-read.js';
import { checkJsonShape } from './json-scan.js';

export interface JsonRowsReadOptions {
  /** Refuse (PAYLOAD_TOO_LARGE) more distinct keys, or more keys in one row. Default DEFAULT_MAX_COLUMNS. */
  maxColumns?: number;
  /** Refuse (PAYLOAD_TOO_LARGE) more than this many cells (rows × columns). Default: 8 per character of the body, at least 1M. */
  maxCells?: number;
}

// A key absent from a row still costs a (null) cell in every column, so a body of rows with
// disjoint keys would grow quadratically; without an explicit cap, cells are held to this many per
// character of the body (and at least MIN_SPARSE_CELLS). A CSV cannot do this: each cell costs a byte.
const SPARSE_CELLS_PER_CHAR = 8;
const MIN_SPARSE_CELLS = 1_000_000;

const tooLarge = (message: string) => new StorageError('PAYLOAD_TOO_LARGE', message);

/**
 * One column's vector. Strings only (none empty): ISO dates and timestamps become date/timestamp
 * columns like in CSV, anything else stays text; every other mix goes through inferValueColumn.
 */
function columnVector(name: string, values: CellValue[]): Vector {
  let strings = true;
  let present = 0;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    present++;
    if (typeof value !== 'string' || value === '') {
      strings = false;
      break;
    }
  }
  if (strings && present > 0) {
    const data: Data = inferTextData(slicesOfStrings(values as (string | null)[]), false);
    return makeVector(data);
  }
  return specVector(inferValueColumn(name, values));
}

/**
 * JSON array of row objects → Table. Columns appear in first-seen key order; a key missing from a
 * row is null; nested values become JSON text. Keys are only ever Map keys, so `__proto__` or
 * `constructor` are ordinary column names.
 */
export function readJsonRows(input: Uint8Array | string, options: JsonRowsReadOptions = {}): Table {
  const maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
  const text = typeof input === 'string' ? input : decodeText(input);
  const maxCells = options.maxCells ?? Math.max(MIN_SPARSE_CELLS, SPARSE_CELLS_PER_CHAR * text.length);
  checkJsonShape(text, maxColumns);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidInput('request body is not valid JSON', error);
  }
  if (!Array.isArray(parsed)) throw invalidInput('JSON table must be an array of row objects');
  const rows = parsed.length;
  const index = new Map<string, number>();
  const names: string[] = [];
  const columns: CellValue[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: unknown = parsed[r];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw invalidInput(`JSON row ${r} is not an object`);
    }
    for (const key of Object.keys(row)) {
      let column = index.get(key);
      if (column === undefined) {
        if (names.length >= maxColumns) {
          throw tooLarge(`JSON rows have more than ${maxColumns} distinct keys (MAX_COLUMNS)`);
        }
        if ((names.length + 1) * rows > maxCells)
          throw tooLarge(`JSON rows have more than ${maxCells} cells`);
        column = names.length;
        index.set(key, column);
        names.push(key);
        columns.push(new Array<CellValue>(rows).fill(null));
      }
      columns[column]![r] = (row as Record<string, CellValue>)[key];
    }
  }
  return assembleTable(
    names,
    names.map((name, i) => columnVector(name, columns[i]!)),
    rows,
  );
}
