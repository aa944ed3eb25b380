import type { Table } from 'apache-arrow';
import { invalidInput, StorageError } from '../contract/errors.js';
import { arrowToTable } from './arrow-read.js';
import { readCsv as csvToTable } from './csv-read.js';
import { readJsonRows } from './json-read.js';
import { xlsxToTables } from './xlsx-read.js';

/** The table formats a request body may carry. */
export type BodyKind = 'csv' | 'arrow' | 'json' | 'xlsx';

/** Limits and reader options for one body; plain data, so it crosses into a worker thread. */
export interface ParseBodyOptions {
  /** MAX_COLUMNS. */
  maxColumns: number;
  /** MAX_DATAFRAME_SIZE_MB in bytes (also what an xlsx workbook may unpack to). */
  maxBytes: number;
  /** CSV field separator (the reader's default when absent). */
  delimiter?: string;
  /** xlsx: the sheet to read (default: the first sheet with data). */
  sheet?: string;
}

/** Any reader may also stop early at MAX_COLUMNS; this is the one check every format gets. */
function checkWidth(table: Table, maxColumns: number): Table {
  if (table.numCols > maxColumns)
    throw new StorageError(
      'PAYLOAD_TOO_LARGE',
      `the table has ${table.numCols} columns, over the MAX_COLUMNS limit of ${maxColumns}`,
    );
  return table;
}

/** Every non-empty sheet of an .xlsx body, in workbook order. */
export function parseWorkbookBody(
  bytes: Uint8Array,
  options: ParseBodyOptions,
): Promise<Record<string, Table>> {
  return xlsxToTables(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    maxBytes: options.maxBytes,
  });
}

/** One sheet of a workbook: `sheet`, or the first; an unknown name is INVALID_INPUT naming the sheets. */
async function workbookSheet(bytes: Uint8Array, options: ParseBodyOptions): Promise<Table> {
  const sheets = await parseWorkbookBody(bytes, options);
  const names = Object.keys(sheets);
  const name = options.sheet ?? names[0]!;
  const table = sheets[name];
  if (table === undefined)
    throw invalidInput(
      `the workbook has no sheet ${JSON.stringify(name)}; its sheets with data: ${names.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  return table;
}

/**
 * A request body → Table, by format, held to MAX_COLUMNS and MAX_DATAFRAME_SIZE_MB. Runs inside a
 * parse worker (parse-worker.ts); every failure is a StorageError.
 */
export async function parseTableBody(
  kind: BodyKind,
  bytes: Uint8Array,
  options: ParseBodyOptions,
): Promise<Table> {
  const { maxColumns } = options;
  switch (kind) {
    case 'csv': {
      // csv-read.ts reads `maxColumns` off its options to stop at the header line.
      const csvOptions: { maxColumns: number; delimiter?: string } = { maxColumns };
      if (options.delimiter) csvOptions.delimiter = options.delimiter;
      return checkWidth(csvToTable(bytes, csvOptions), maxColumns);
    }
    case 'json':
      return checkWidth(readJsonRows(bytes, { maxColumns }), maxColumns);
    case 'arrow':
      return arrowToTable(bytes, { maxColumns, maxBytes: options.maxBytes });
    case 'xlsx':
      return workbookSheet(bytes, options);
  }
}
