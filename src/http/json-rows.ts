import type { Table } from 'apache-arrow';
import { type JsonRowsReadOptions, readJsonRows } from '../formats/json-read.js';

/** Table → JSON rows now lives with the other output formats (exact values, streamed pieces). */
export { tableToJsonRows } from '../formats/json-write.js';

/** JSON rows request body → Table (the reader lives in src/formats/json-read.ts). */
export function jsonRowsToTable(bytes: Uint8Array, options: JsonRowsReadOptions = {}): Table {
  return readJsonRows(bytes, options);
}
