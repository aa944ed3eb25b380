import { type Data, RecordBatch, type Schema, type Struct } from 'apache-arrow';

/**
 * `new RecordBatch(schema, data)` without its quadratic cost. The constructor re-derives the schema through
 * Schema.assign, which looks every field up with findIndex: seconds at 10k–50k columns. When every child
 * is already the batch's length (the constructor would change nothing), the batch is made with exactly
 * the state that constructor leaves; tests/formats/csv-read.test.ts checks the two are equal. Otherwise
 * the constructor runs (it backfills short columns).
 */
export function recordBatchOf(schema: Schema, data: Data<Struct>): RecordBatch {
  const aligned =
    data.children.length === schema.fields.length &&
    data.children.every((child) => child.length === data.length);
  if (!aligned) return new RecordBatch(schema, data);
  const batch = Object.create(RecordBatch.prototype) as RecordBatch;
  Object.assign(batch, { schema, data, _metadata: new Map<string, string>() });
  return batch;
}
