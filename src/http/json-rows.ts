import type { Table } from 'apache-arrow';
import { invalidInput } from '../contract/errors.js';
import { type CellValue, inferValueColumn } from './cell-inference.js';
import { decodeText } from './csv-read.js';
import { buildTable } from './table-build.js';
import { formattedColumns } from './table-cells.js';

/**
 * Table → JSON array of row objects. Written by hand so keys keep the column order even for
 * integer-like names, which JSON.stringify of an object would move to the front.
 */
export function tableToJsonRows(table: Table): string {
  const { names, columns } = formattedColumns(table);
  const keys = names.map((name) => `${JSON.stringify(name)}:`);
  const rows: string[] = new Array(table.numRows);
  for (let row = 0; row < table.numRows; row++) {
    let line = '{';
    for (let col = 0; col < keys.length; col++) {
      if (col > 0) line += ',';
      line += keys[col] + JSON.stringify(columns[col]![row] ?? null);
    }
    rows[row] = `${line}}`;
  }
  return `[${rows.join(',')}]`;
}

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
