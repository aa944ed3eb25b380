import type { Table } from 'apache-arrow';
import { invalidInput } from '../contract/errors.js';
import { type CellValue, inferValueColumn } from './cell-inference.js';
import { decodeText } from './csv-read.js';
import { buildTable } from './table-build.js';

/** Table → JSON rows now lives with the other output formats (exact values, streamed pieces). */
export { tableToJsonRows } from '../formats/json-write.js';

/**
 * JSON array of row objects → Table. Columns appear in first-seen key order; a key missing from a
 * row is null; types are inferred per column like spreadsheet cells (nested values become JSON text).
 */
export function jsonRowsToTable(bytes: Uint8Array): Table {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeText(bytes));
  } catch (error) {
    throw invalidInput('request body is not valid JSON', error);
  }
  if (!Array.isArray(parsed)) throw invalidInput('JSON table must be an array of row objects');
  const names: string[] = [];
  const seen = new Set<string>();
  for (const [index, row] of parsed.entries()) {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw invalidInput(`JSON row ${index} is not an object`);
    }
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  const rows = parsed as Record<string, CellValue>[];
  const columns = names.map((name) =>
    inferValueColumn(
      name,
      rows.map((row) => row[name] ?? null),
    ),
  );
  return buildTable(columns, rows.length);
}
