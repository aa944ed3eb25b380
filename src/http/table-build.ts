import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { invalidInput } from '../contract/errors.js';

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

/** A Table from named single-chunk vectors of `rows` values each, in the given order. */
export function assembleTable(names: readonly string[], vectors: readonly Vector[], rows: number): Table {
  const fields = vectors.map((vector, index) => new Field(names[index]!, vector.type, true));
  const schema = new Schema(fields);
  const children = vectors.map((vector) => vector.data[0]!);
  const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  return new Table(schema, new RecordBatch(schema, data));
}

/**
 * Unique, non-empty header names: blanks become `column_<n>` (1-based, like spreadsheets label them)
 * and repeats get `.1`, `.2`… (as pandas does), so no column is lost or ambiguous.
 */
export function headerNames(raw: readonly unknown[]): string[] {
  const used = new Set<string>();
  return raw.map((value, index) => {
    const text = value === null || value === undefined ? '' : String(value);
    const base = text.trim() === '' ? `column_${index + 1}` : text;
    let name = base;
    for (let n = 1; used.has(name); n++) name = `${base}.${n}`;
    used.add(name);
    return name;
  });
}
