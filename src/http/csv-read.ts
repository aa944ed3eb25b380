import type { Table } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { invalidInput } from '../contract/errors.js';
import { inferTextColumn } from './cell-inference.js';
import { buildTable, headerNames } from './table-build.js';

export interface CsvReadOptions {
  /** Field separator (default `,`). */
  delimiter?: string;
}

/** UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what spreadsheet "Save as CSV" often writes). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * CSV → Table. The first record is the header (names and order kept; blanks become `column_<n>`);
 * every record must have as many fields as the header. Types are inferred per column (cell-inference.ts).
 */
export function csvToTable(bytes: Uint8Array, options: CsvReadOptions = {}): Table {
  let records: string[][];
  try {
    records = parse(decodeText(bytes), {
      bom: true,
      delimiter: options.delimiter ?? ',',
      skip_empty_lines: true,
      relax_column_count: false,
    }) as string[][];
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable';
    throw invalidInput(`CSV could not be parsed: ${reason}`, error);
  }
  const [header, ...rows] = records;
  if (header === undefined) throw invalidInput('CSV is empty: expected a header row');
  const names = headerNames(header);
  const columns = names.map((name, index) =>
    inferTextColumn(
      name,
      rows.map((row) => row[index] ?? ''),
    ),
  );
  return buildTable(columns, rows.length);
}
