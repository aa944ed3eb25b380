import type { Table } from 'apache-arrow';
import { type CsvReadOptions, readCsv } from '../formats/csv-read.js';

export { type CsvReadOptions, DEFAULT_MAX_COLUMNS, decodeText } from '../formats/csv-read.js';

/** CSV request body → Table (the reader lives in src/formats/csv-read.ts; this is the HTTP layer's name for it). */
export function csvToTable(bytes: Uint8Array, options: CsvReadOptions = {}): Table {
  return readCsv(bytes, options);
}
