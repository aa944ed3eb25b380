import type { Table } from 'apache-arrow';
import { stringify } from 'csv-stringify/sync';
import { formattedColumns } from './table-cells.js';
import type { JsonCell } from './table-values.js';

/** null → empty field; nested values → their JSON text; everything else as in JSON output. */
const fieldText = (cell: JsonCell): string => {
  if (cell === null) return '';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
};

/** Table → CSV text with a header row, RFC 4180 quoting, `\n` line ends. */
export function tableToCsv(table: Table): string {
  const { names, columns } = formattedColumns(table);
  const records: string[][] = new Array(table.numRows + 1);
  records[0] = names;
  for (let row = 0; row < table.numRows; row++) {
    records[row + 1] = columns.map((column) => fieldText(column[row] ?? null));
  }
  return stringify(records);
}
