import type { Table } from 'apache-arrow';
import { cellReader } from '../formats/cell-format.js';

/** A small table as aligned text with a header and type row (for the demo and terminals, not for data exchange). */
export function renderTable(table: Table, maxRows = 20): string {
  const names = table.schema.fields.map((field) => field.name);
  const types = table.schema.fields.map((field) => String(field.type).toLowerCase());
  const shown = Math.min(table.numRows, maxRows);
  // The exact cell text of the downloads (timestamps in their own unit, big integers whole); '·' for null.
  const columns = names.map((_, col) => {
    const cells: string[] = [];
    for (const batch of table.batches) {
      const data = batch.data.children[col];
      if (data === undefined) break;
      const reader = cellReader(data, { bigAsString: false });
      for (let i = 0; i < data.length && cells.length < shown; i += 1)
        cells.push(reader.valid(i) ? reader.text(i) : '·');
      if (cells.length >= shown) break;
    }
    return cells;
  });
  const grid = [
    names,
    types,
    ...Array.from({ length: shown }, (_, row) => columns.map((column) => column[row] ?? '')),
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
