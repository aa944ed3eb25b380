import { Field, makeData, RecordBatch, Schema, Struct, Table, type Vector } from 'apache-arrow';

/**
 * A Table from named single-chunk vectors of `rows` values each, in the given order (building from a
 * plain object would reorder integer-like names such as "2019" before the others, and a name like
 * `__proto__` would not be a column at all).
 */
export function assembleTable(names: readonly string[], vectors: readonly Vector[], rows: number): Table {
  const fields = vectors.map((vector, index) => new Field(names[index]!, vector.type, true));
  const schema = new Schema(fields);
  const children = vectors.map((vector) => vector.data[0]!);
  const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  return new Table(schema, new RecordBatch(schema, data));
}
