import type { Table } from 'apache-arrow';
import { formattedColumns } from '../http/table-cells.js';

/** A small table as aligned text with a header and type row (for the demo and terminals, not for data exchange). */
export function renderTable(table: Table, maxRows = 20): string {
  const { names, columns } = formattedColumns(table);
  const types = table.schema.fields.map((field) => String(field.type).toLowerCase());
  const shown = Math.min(table.numRows, maxRows);
  const cell = (value: unknown): string => (value === null || value === undefined ? '·' : String(value));
  const grid = [
    names,
    types,
    ...Array.from({ length: shown }, (_, row) => columns.map((column) => cell(column[row]))),
  ];
  const widths = names.map((_, col) => Math.max(...grid.map((line) => (line[col] ?? '').length)));
  const line = (values: string[]) =>
    `  ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  const out = [
    line(grid[0]!),
    line(grid[1]!),
    line(widths.map((w) => '-'.repeat(w))),
    ...grid.slice(2).map(line),
  ];
  if (table.numRows > shown) out.push(`  … ${table.numRows - shown} more rows`);
  return `${out.join('\n')}\n`;
}
