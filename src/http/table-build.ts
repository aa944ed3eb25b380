import {
  Bool,
  type DataType,
  Float64,
  Int64,
  type Table,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { invalidInput } from '../contract/errors.js';
import { assembleTable } from '../formats/cell-table.js';

/** The column types text and spreadsheet input is inferred into (docs/http.md "Type inference"). */
export type ColumnKind = 'int64' | 'float64' | 'bool' | 'timestamp' | 'utf8';

/** One inferred column: values already converted to the kind (`bigint` for int64, epoch ms for timestamp). */
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  values: (bigint | number | boolean | string | null)[];
}

const arrowType = (kind: ColumnKind): DataType => {
  switch (kind) {
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'timestamp':
      return new TimestampMillisecond();
    case 'utf8':
      return new Utf8();
  }
};

/**
 * Builds a Table whose columns keep the given order and names exactly (building from a plain
 * object would reorder integer-like names such as "2019" before the others).
 */
export function buildTable(columns: ColumnSpec[], rows: number): Table {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) throw invalidInput(`duplicate column name ${JSON.stringify(column.name)}`);
    seen.add(column.name);
  }
  const vectors = columns.map((column) => vectorFromArray(column.values, arrowType(column.kind)));
  return assembleTable(
    columns.map((column) => column.name),
    vectors,
    rows,
  );
}

export { headerNames } from '../formats/cell-names.js';
export { assembleTable } from '../formats/cell-table.js';
