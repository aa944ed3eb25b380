import type { Table } from 'apache-arrow';
import { type JsonCell, tableFormatters } from './table-values.js';

/** The table as formatted columns (column-major, so each column is walked once by its own formatter). */
export function formattedColumns(table: Table): { names: string[]; columns: JsonCell[][] } {
  const { names, formatters } = tableFormatters(table);
  const columns = formatters.map((format, index) => {
    const vector = table.getChildAt(index);
    const out: JsonCell[] = new Array(table.numRows);
    if (vector === null) return out.fill(null);
    let row = 0;
    for (const value of vector) out[row++] = value === null || value === undefined ? null : format(value);
    return out;
  });
  return { names, columns };
}
