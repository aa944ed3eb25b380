import { type Table, DataType as Types, type Vector } from 'apache-arrow';
import { type JsonCell, tableFormatters } from './table-values.js';

/** The table as formatted columns (column-major, so each column is walked once by its own formatter). */
export function formattedColumns(table: Table): { names: string[]; columns: JsonCell[][] } {
  const { names, formatters } = tableFormatters(table);
  const columns = formatters.map((format, index) => {
    const vector = table.getChildAt(index);
    const out: JsonCell[] = new Array(table.numRows);
    if (vector === null) return out.fill(null);
    if (Types.isTimestamp(vector.type)) return rawTimestamps(vector, format, out);
    let row = 0;
    for (const value of vector) out[row++] = value === null || value === undefined ? null : format(value);
    return out;
  });
  return { names, columns };
}

/** Timestamps from their stored int64 values: Vector.get turns them into float milliseconds, losing µs/ns. */
function rawTimestamps(vector: Vector, format: (value: unknown) => JsonCell, out: JsonCell[]): JsonCell[] {
  let row = 0;
  for (const data of vector.data) {
    const values = data.values as BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      out[row++] = data.getValid(i) ? format(values[data.offset + i]) : null;
    }
  }
  return out;
}
