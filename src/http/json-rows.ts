import type { Table } from 'apache-arrow';
import { type JsonRowsReadOptions, readJsonRows } from '../formats/json-read.js';
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

/** JSON rows request body → Table (the reader lives in src/formats/json-read.ts). */
export function jsonRowsToTable(bytes: Uint8Array, options: JsonRowsReadOptions = {}): Table {
  return readJsonRows(bytes, options);
}
